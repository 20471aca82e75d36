"""The Jinja environment: templates in tiers, translations from the request's locale, versioned static URLs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from portal.auth.access import subject_url
from portal.settings import PROJECT_ROOT, Settings
from portal.web import i18n

TEMPLATES_DIR = PROJECT_ROOT / "templates"
HTMX_PACKAGE = "htmx.org"
# htmx is told not to do what a strict CSP or a shared computer forbids (STACK.md).
HTMX_CONFIG = json.dumps(
    {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
        "historyCacheSize": 0,
        "refreshOnHistoryMiss": True,
        "selfRequestsOnly": True,
    },
    separators=(",", ":"),
)


def static_version(static_root: Path) -> str:
    """A fingerprint of our static files: their URLs change when they do, so they can be cached forever."""
    digest = hashlib.sha256()
    for path in sorted(p for p in static_root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(static_root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def htmx_version(node_modules: Path) -> str:
    package = node_modules / HTMX_PACKAGE / "package.json"
    return str(json.loads(package.read_text())["version"]) if package.exists() else "missing"


def language_switch_url(request: Request[Any, Any, Any], locale: str) -> str:
    """The current page in another language; other query parameters are kept."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*params, ('lang', locale)])}"


def create_environment(settings: Settings, static_prefix: str, htmx_prefix: str) -> Environment:
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
    env.globals.update(
        static_url=lambda path: f"{static_prefix}/{path}",
        htmx_url=f"{htmx_prefix}/htmx.min.js",
        htmx_config=HTMX_CONFIG,
        languages=i18n.SUPPORTED,
        language_name=i18n.language_name,
        language_switch_url=language_switch_url,
        current_locale=i18n.current_locale,
        show_component_gallery=not settings.is_production,
        subject_url=subject_url,
    )
    env.filters.update(
        date=i18n.format_date,
        datetime=i18n.format_datetime,
        money=i18n.format_money,
        number=i18n.format_number,
    )
    return env


def template_config(env: Environment) -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(env))
