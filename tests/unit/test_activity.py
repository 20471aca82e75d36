"""What an audit event means to the person it is about: complete messages for (action, record) and the basis."""

import pytest

from portal.audit.activity import basis_message, describe

APPLICATION = "0b5a3c1e-2f4d-4e6a-9b8c-7d6e5f4a3b2c"


@pytest.mark.parametrize(
    ("action", "record", "message"),
    [
        ("read", "/overview", "Viewed your overview."),
        ("read", "/applications", "Viewed your applications."),
        ("read", f"/applications/{APPLICATION}", "Viewed one of your applications."),
        ("read", f"/applications/{APPLICATION}/receipt.pdf", "Downloaded the receipt of one of your applications."),
        ("read", f"/applications/{APPLICATION}/check", "Viewed a page of one of your applications."),
        ("read", "/statements/ep43", "Viewed one kind of your statements."),
        ("read", f"/statements/ep43/{APPLICATION}.pdf", "Downloaded one of your statements."),
        ("read", f"/inbox/{APPLICATION}", "Read one of your notices."),
        ("read", "/overview/extra", "Viewed a page of yours."),
        ("read", "/applications/not-a-uuid", "Viewed a page of yours."),
        ("read", "/applications/sent/VSAA-2026-903118", "Viewed one of your applications."),
        ("read", "/applications/sent/VSAA-2026-903118/withdraw", "Viewed a page of one of your applications."),
        (
            "read",
            "/applications/sent/VSAA-2026-903118/decision",
            "Downloaded the decision on one of your applications.",
        ),
        ("read", "/applications/sent/vsaa-1", "Viewed a page of yours."),
        (
            "application.information_answered",
            "VSAA-2026-903118",
            "Answered VSAA's request for more information about your application.",
        ),
        ("application.withdrawn", "VSAA-2026-903118", "Withdrew your application."),
        ("read", None, "Viewed a page of yours."),
        ("mandate.granted", "mandate:x", "Granted a mandate in your name."),
        ("mandate.ended", "mandate:x", "Ended the mandate you had granted."),
        ("client.opened", "identification:x", "Opened your record after identifying you in person."),
        ("client.closed", "identification:x", "Closed your record."),
        ("something.new", "/overview", "Acted in your name."),
    ],
)
def test_each_event_reads_as_one_complete_sentence(action, record, message):
    assert describe(action, record) == message


@pytest.mark.parametrize(
    ("basis", "message"),
    [
        ("parent", "As your parent."),
        ("guardian", "As your guardian."),
        (f"mandate:{APPLICATION}", "By your mandate."),
        (f"assistant:{APPLICATION}", "As a service centre assistant."),
        ("mandate", "By your mandate."),
        ("orphans-court", "On another basis."),
    ],
)
def test_the_basis_in_plain_words(basis, message):
    assert basis_message(basis) == message
