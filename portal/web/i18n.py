"""Languages: Latvian first, English second.

The locale of a request is chosen once (``?lang=``, then the ``lang`` cookie, then Accept-Language, then
Latvian) and kept in a context variable, so templates, forms and error pages translate without passing it
around. Formats (dates, numbers, money) come from Babel's CLDR data.
"""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from decimal import Decimal
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.dates import get_datetime_format
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from portal.clock import RIGA
from portal.settings import PROJECT_ROOT
from portal.web.cookies import cookie_value

LOCALES_DIR = PROJECT_ROOT / "locales"
SUPPORTED = ("lv", "en")
DEFAULT = "lv"
# English pages are read in Latvia: day-month dates and the euro, as in Irish English rather than American.
FORMAT_LOCALES = {"lv": "lv_LV", "en": "en_IE"}
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT)


@cache
def translations(locale: str, directory: Path = LOCALES_DIR) -> NullTranslations:
    """The compiled catalogue for a locale; English msgids stand for themselves when none is compiled."""
    return Translations.load(str(directory), [locale], domain="messages")


def current_locale() -> str:
    return _current.get()


def set_locale(locale: str) -> None:
    _current.set(locale if locale in SUPPORTED else DEFAULT)


def gettext(message: str) -> str:
    return translations(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined as data; it is translated where shown."""
    return message


def _from_accept_language(header: str) -> str | None:
    """The first supported language in an Accept-Language header, honouring q-values."""
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().split("-")[0].lower()
        if language in SUPPORTED and quality > 0:
            choices.append((-quality, position, language))
    return min(choices)[2] if choices else None


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    for candidate in (query, cookie):
        if candidate in SUPPORTED:
            return candidate
    return _from_accept_language(accept_language or "") or DEFAULT


class LocaleMiddleware:
    """Chooses the request's language and remembers an explicit ``?lang=`` choice in a cookie."""

    def __init__(self, app: ASGIApp, *, secure_cookie: bool) -> None:
        self.app = app
        self.secure_cookie = secure_cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))).get("lang")
        locale = negotiate(query, cookie_value(headers.get("cookie", ""), COOKIE), headers.get("accept-language"))
        set_locale(locale)
        scope.setdefault("state", {})["locale"] = locale
        remember = query in SUPPORTED

        async def send_with_cookie(message: Message) -> None:
            if remember and message["type"] == "http.response.start":
                attributes = f"{COOKIE}={locale}; Path=/; Max-Age={COOKIE_MAX_AGE}; SameSite=Lax; HttpOnly"
                if self.secure_cookie:
                    attributes += "; Secure"
                message["headers"] = [*message.get("headers", []), (b"set-cookie", attributes.encode())]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def format_date(value: dt.date, style: str = "long") -> str:
    """`2026. gada 20. novembris` in Latvian, `20 November 2026` in English."""
    return babel_format_date(value, format=style, locale=FORMAT_LOCALES[current_locale()])


def format_datetime(value: dt.datetime) -> str:
    """A moment in Riga time: `2026. gada 20. novembris 14:05` in Latvian, `20 November 2026, 14:05` in English.

    A naive value is taken as UTC, which is how SQLite gives back what was stored with a time zone."""
    locale = FORMAT_LOCALES[current_locale()]
    local = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(RIGA)
    return (
        str(get_datetime_format("long", locale=locale))
        .replace("'", "")
        .replace("{0}", babel_format_time(local, format="short", locale=locale))
        .replace("{1}", babel_format_date(local.date(), format="long", locale=locale))
    )


def format_money(amount: Decimal | float | int, currency: str = "EUR") -> str:
    """`1 234,50 €` in Latvian."""
    return format_currency(amount, currency, locale=FORMAT_LOCALES[current_locale()])


def format_number(value: Decimal | float | int) -> str:
    return format_decimal(value, locale=FORMAT_LOCALES[current_locale()])


def language_name(locale: str) -> str:
    """A language's name in that language, for the switch ("Latviešu", "English")."""
    try:
        return (Locale.parse(locale).get_display_name(locale) or locale).capitalize()
    except (UnknownLocaleError, ValueError):
        return locale


class FormTranslations:
    """WTForms' own messages ("This field is required.") through our catalogue (`Meta.get_translations`)."""

    def gettext(self, string: str) -> str:
        return gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return ngettext(singular, plural, n)
