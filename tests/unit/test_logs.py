from portal.web.logs import mask_personal_codes, new_request_id


def test_personal_codes_are_masked_in_both_formats():
    event = {"event": "x 150162-12342 y", "path": "/a/32901152842", "n": 5, "ok": "VSAA-2026-004217"}
    masked = mask_personal_codes(None, "info", event)
    assert "150162" not in masked["event"] and "32901152842" not in masked["path"]
    assert masked["ok"] == "VSAA-2026-004217"
    assert masked["n"] == 5


def test_incoming_request_id_is_kept_only_when_well_formed():
    assert new_request_id("abcdef12-3456") == "abcdef12-3456"
    generated = new_request_id("<script>")
    assert generated != "<script>" and len(generated) == 32
    assert new_request_id(None) != new_request_id(None)


def test_a_run_of_digits_inside_a_hex_request_id_is_not_taken_for_a_personal_code():
    event = {"request_id": "fb9c33134bbd473b93898642455d8089", "q": "code=15016212342&x=1"}
    masked = mask_personal_codes(None, "info", event)
    assert masked["request_id"] == "fb9c33134bbd473b93898642455d8089"
    assert "15016212342" not in masked["q"]
