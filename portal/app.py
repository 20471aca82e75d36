"""create_app(settings): the one place that assembles the portal. Read it as a table of contents."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.di import Provide
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp

from portal.agencies.http import create_http_client
from portal.agencies.registry import build_agencies
from portal.applications import journey_routes, questionnaire_routes, report_routes, status_routes, upload_routes
from portal.applications import routes as applications_routes
from portal.applications.prefill import provide_prefill_sources
from portal.assistant import routes as assistant_routes
from portal.audit import routes as audit_routes
from portal.auth import routes as auth_routes
from portal.auth import session_routes
from portal.auth.access import NoClientOpen, NotPermitted
from portal.auth.dependencies import provide_access, provide_audit, provide_subject
from portal.auth.guards import (
    SignInRequired,
    StaffSignInRequired,
    no_client_redirect,
    not_permitted_page,
    sign_in_redirect,
    staff_sign_in_redirect,
)
from portal.auth.middleware import SessionMiddleware
from portal.auth.wiring import session_backend, sign_in_services
from portal.catalogue import routes as catalogue_routes
from portal.catalogue import service_routes
from portal.catalogue.definitions import load_definitions
from portal.clock import Clock, SandboxClock, WallClock
from portal.db.engine import create_engine, provide_db_session, session_factory
from portal.db.migrate import head_revision
from portal.documents import routes as documents_routes
from portal.notices import routes as notices_routes
from portal.overview import routes as overview_routes
from portal.representation import routes as representation_routes
from portal.settings import ProductionSettingsError, Settings
from portal.statements import issue_routes as statement_issue_routes
from portal.statements import kind_routes as statement_kind_routes
from portal.statements import routes as statements_routes
from portal.verify import routes as verify_routes
from portal.verify.limits import verify_limiter
from portal.web import gallery_routes, health_routes, info_routes
from portal.web.errors import EXCEPTION_HANDLERS
from portal.web.i18n import LocaleMiddleware
from portal.web.logs import RequestContextMiddleware, configure_logging
from portal.web.security import SecurityHeadersMiddleware
from portal.web.templating import create_environment, htmx_version, static_version, template_config
from portal.worker.runner import running_in_background
from portal.worker.tasks import WorkerContext, build_worker

# The provider posts logout notices server to server, with no browser and so no CSRF token; the logout token's
# signature is what protects that route.
CSRF_EXEMPT: list[str] = ["/auth/backchannel-logout"]
IMMUTABLE = CacheControlHeader(public=True, max_age=31_536_000, immutable=True)


class PortalApp(Litestar):
    """Litestar runs app middleware only for matched routes; ours must also wrap 404s and static files."""

    def _create_asgi_handler(self) -> ASGIApp:
        handler = super()._create_asgi_handler()
        settings = self.state.settings
        handler = SessionMiddleware(handler, secure_cookie=settings.cookie_secure)
        handler = SecurityHeadersMiddleware(
            handler, production=settings.is_production, identity_provider=settings.oidc_issuer
        )
        handler = LocaleMiddleware(handler, secure_cookie=settings.cookie_secure)
        return RequestContextMiddleware(handler)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()
    if problems := settings.production_problems():
        raise ProductionSettingsError("; ".join(problems))
    configure_logging(settings.log_level, settings.log_json)
    # A bad definition in forms/ stops the start before anything is opened (DefinitionsInvalid names
    # file and line): better than a person meeting it half-way through an application.
    definitions = load_definitions(settings.forms_dir)

    engine = create_engine(settings.database_url)
    db_sessions = session_factory(engine)
    backend = session_backend(settings, db_sessions)
    sessions, sign_in, staff_sign_in = sign_in_services(settings, backend)
    limiter = verify_limiter(settings, backend)  # /verify's rate limit, shared by the web processes when services
    sandbox_client = create_http_client(settings.sandbox_url) if settings.sandbox_url else None
    clock: Clock = SandboxClock(sandbox_client) if sandbox_client else WallClock()
    agencies = build_agencies(settings)
    static_prefix = f"/static/{static_version(settings.static_root)}"
    htmx_prefix = f"/static/htmx/{htmx_version(settings.node_modules)}"

    # Embedded topology: this process also runs the worker (outbox delivery, sync); else `portal worker` does.
    context = WorkerContext(settings, db_sessions, agencies, clock)
    worker = build_worker(context) if settings.runs_worker_in_web else None

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        try:
            async with running_in_background(worker):
                yield
        finally:
            await backend.__aexit__(None, None, None)  # closes the Redis connection pool it owns, if any
            if sandbox_client:
                await sandbox_client.aclose()
            await agencies.aclose()
            await engine.dispose()

    return PortalApp(
        route_handlers=[
            catalogue_routes.home,
            catalogue_routes.life_situation,
            auth_routes.login,
            auth_routes.step_up,
            auth_routes.callback,
            auth_routes.staff_login,
            auth_routes.staff_callback,
            auth_routes.logout,
            auth_routes.backchannel_logout,
            overview_routes.overview,
            overview_routes.session_ended,
            session_routes.session_status,
            session_routes.keep_alive,
            applications_routes.applications,
            # An application's journey: start, question pages, check, declaration, confirmation.
            service_routes.service_start,
            service_routes.questionnaire_start,
            *journey_routes.HANDLERS,
            *report_routes.HANDLERS,  # reporting that VSAA's prefilled data is wrong
            # A sent application's status, answering VSAA, withdrawal, the decision (/applications/sent/<ref>).
            *status_routes.handlers(settings),
            *questionnaire_routes.HANDLERS,  # how a questionnaire ends: results, Send, thanks
            # Files of a draft's file questions; their route takes larger bodies (settings.upload_max_bytes).
            *upload_routes.handlers(settings),
            documents_routes.receipt_pdf,
            statements_routes.statements,
            statements_routes.fresh_statements,
            *statement_issue_routes.HANDLERS,  # issue a statement as of now, its PDF and its "being prepared" page
            *verify_routes.handlers(settings),  # public /verify, by code or by PDF
            statement_kind_routes.statement_page,
            statement_kind_routes.fresh_statement,
            audit_routes.activity,
            *notices_routes.HANDLERS,  # the inbox of notices and how new ones are told
            representation_routes.representation,
            assistant_routes.staff,
            info_routes.accessibility,
            info_routes.privacy,
            info_routes.contacts,
            gallery_routes.gallery,
            health_routes.healthz,
            health_routes.readyz,
            create_static_files_router(
                path=static_prefix, directories=[settings.static_root], cache_control=IMMUTABLE, name="static"
            ),
            create_static_files_router(
                path=htmx_prefix,
                directories=[settings.node_modules / "htmx.org" / "dist"],
                cache_control=IMMUTABLE,
                name="htmx",
            ),
        ],
        state=State(
            {
                "settings": settings,
                "db_engine": engine,
                "db_sessions": db_sessions,
                "sessions": sessions,
                "session_backend": backend,
                "agencies": agencies,
                "definitions": definitions,
                "schema_head": head_revision(),
                "verify_limiter": limiter,
            }
        ),
        dependencies={
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
            "db_session": Provide(provide_db_session),
            "clock": Provide(lambda: clock, use_cache=True, sync_to_thread=False),
            # Each agency client by name (portal/agencies/registry.py), e.g. `population_register`.
            **{name: _constant(client) for name, client in agencies.as_dependencies().items()},
            "sign_in": Provide(lambda: sign_in, use_cache=True, sync_to_thread=False),
            "staff_sign_in": Provide(lambda: staff_sign_in, use_cache=True, sync_to_thread=False),
            # Who may act for whom, resolved once per request; the subject a request names, checked against it.
            "access": Provide(provide_access),
            "subject": Provide(provide_subject),
            "audit": Provide(provide_audit, sync_to_thread=False),
            # The e-services and questionnaires of forms/, by slug (portal/catalogue/definitions.py).
            "definitions": _constant(definitions),
            # What a new draft is prefilled from (portal/applications/prefill.py).
            "prefill_sources": Provide(provide_prefill_sources, sync_to_thread=False),
            "verify_limiter": _constant(limiter),
        },
        template_config=template_config(create_environment(settings, static_prefix, htmx_prefix)),
        csrf_config=CSRFConfig(
            secret=settings.secret_key.get_secret_value(),
            cookie_secure=settings.cookie_secure,
            cookie_httponly=True,
            cookie_samesite="lax",
            # Static files are public and cached for a year: no CSRF cookie belongs on them.
            exclude=[*CSRF_EXEMPT, "^/static/"],
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=500, gzip_compress_level=6),
        request_max_body_size=settings.max_body_bytes,
        exception_handlers={
            **EXCEPTION_HANDLERS,
            SignInRequired: sign_in_redirect,
            StaffSignInRequired: staff_sign_in_redirect,
            NotPermitted: not_permitted_page,
            NoClientOpen: no_client_redirect,
        },
        plugins=[HTMXPlugin()],
        lifespan=[lifespan],
        openapi_config=None,  # the portal publishes no API documentation of itself
        logging_config=None,  # ours (portal.web.logs); Litestar's default would replace it at start-up
        debug=False,
    )


def _constant(value: object) -> Provide:
    return Provide(lambda: value, use_cache=True, sync_to_thread=False)


def app_factory() -> Any:
    """Entry point for granian (`--factory`): settings come from the environment."""
    return create_app()
