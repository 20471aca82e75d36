"""Every error page the portal can show, rendered in both languages through the app's own templates."""

from typing import ClassVar

import pytest

from portal.web import i18n
from portal.web.errors import ERRORS, error_text


@pytest.mark.parametrize("status", [400, 403, 404, 405, 413, 429, 500, 503])
def test_each_error_page_renders_in_latvian_and_english(app, status):
    template = app.template_engine.get_template("pages/error.html")
    pages = {}
    for locale in ("lv", "en"):
        i18n.set_locale(locale)
        pages[locale] = template.render(
            status=status, error=error_text(status), request=_FakeRequest(), csrf_input="", csrf_token=lambda: ""
        )
    i18n.set_locale("lv")
    text = ERRORS[status]
    assert text.title in pages["en"] and text.message in pages["en"]
    assert text.title not in pages["lv"] and f"Kļūdas kods: {status}" in pages["lv"]
    assert '<html lang="lv">' in pages["lv"] and '<html lang="en">' in pages["en"]


def test_unknown_statuses_fall_back_to_their_class():
    assert error_text(418) == ERRORS[400]
    assert error_text(502) == ERRORS[500]
    assert error_text(403, "CSRF token verification failed").title == "The form could not be accepted"


class _FakeRequest:
    """What base.html reads from the request: no session, the landing path."""

    class url:
        path = "/"

    class query_params:
        @staticmethod
        def multi_items():
            return []

    scope: ClassVar[dict] = {"state": {"portal_session": None}}
