"""HTML to tagged PDF/A-2a with WeasyPrint: the one way the portal makes a PDF (receipts, and statements later).

Rendering is blocking CPU work: call `render_pdf_async` (a worker thread), never `render_pdf` on the event loop.
The templates use our own fonts (DejaVu from fonts-dejavu-core), so every Latvian glyph is embedded from a
known file and the output does not depend on whatever else fontconfig finds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from portal.settings import PROJECT_ROOT
from portal.web import i18n

TEMPLATES_DIR = PROJECT_ROOT / "templates"
# PDF/A-2 level a: archival (fonts embedded, XMP with the PDF/A id) and tagged (structure tree, /Lang).
PDF_VARIANT = "pdf/a-2a"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def document_environment() -> Environment:
    """A Jinja environment for documents: the pages' templates and translations, none of the web globals
    (a document is rendered in the worker, outside any request)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(font_url=lambda name: (FONT_DIR / name).as_uri(), current_locale=i18n.current_locale)
    env.filters.update(date=i18n.format_date, datetime=i18n.format_datetime)
    return env


_ENV = document_environment()
# The PDF/A output intent. WeasyPrint 70's own "srgb" intent opens its ICC file and never closes it (a
# ResourceWarning in every render, an error under pytest's filterwarnings); the same profile read here, once.
OUTPUT_INTENT = "portal-srgb"


@cache
def _srgb_profile() -> Any:
    from weasyprint.css import ColorProfile  # type: ignore[import-untyped]

    with (files("weasyprint.pdf") / "sRGB2014.icc").open("rb") as icc:
        return ColorProfile(icc, "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))


def render_html(template: str, context: Mapping[str, Any], locale: str) -> str:
    """The document's HTML in `locale`; the request's locale (if any) is restored afterwards."""
    previous = i18n.current_locale()
    i18n.set_locale(locale)
    try:
        return _ENV.get_template(template).render(**context)
    finally:
        i18n.set_locale(previous)


def render_pdf(html: str) -> bytes:
    """Blocking: HTML to PDF/A-2a bytes. The HTML carries the title (<title>) and language (<html lang>), which
    WeasyPrint writes as the document's /Title and /Lang; the title is shown as the window title."""
    # Imported here: WeasyPrint loads pango through cffi, which the web process needs only when it renders.
    from weasyprint import HTML  # type: ignore[import-untyped]

    document = HTML(string=html, base_url=str(TEMPLATES_DIR))
    pdf = document.write_pdf(
        pdf_variant=PDF_VARIANT,
        pdf_tags=True,
        output_intent=OUTPUT_INTENT,
        color_profiles={OUTPUT_INTENT: _srgb_profile()},
    )
    assert pdf is not None  # with no target, write_pdf returns the bytes
    return bytes(pdf)


async def render_pdf_async(html: str) -> bytes:
    """`render_pdf` in a worker thread: the event loop (the embedded web process's too) keeps serving."""
    return await asyncio.to_thread(render_pdf, html)
