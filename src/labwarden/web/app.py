"""The server application: API routers, pages, error answers, middleware, static files."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from labwarden import __version__
from labwarden.core.errors import LabwardenError
from labwarden.web.api import admin, alerts, events, incidents, inventory
from labwarden.web.auth import Viewer
from labwarden.web.config import ServerConfig, is_loopback
from labwarden.web.errors import ApiError
from labwarden.web.lake import LakePool
from labwarden.web.middleware import BodyLimit, LoopbackHost, SecurityHeaders
from labwarden.web.pages import admin as admin_pages
from labwarden.web.pages import alerts as alert_pages
from labwarden.web.pages import findings as finding_pages
from labwarden.web.pages import incidents as incident_pages
from labwarden.web.pages import inventory as inventory_pages
from labwarden.web.pages import login as login_pages
from labwarden.web.pages.render import render_error
from labwarden.web.pool import CatalogPool
from labwarden.web.state import ServerState

log = logging.getLogger(__name__)

API = "/api/v1"
STATIC = Path(__file__).parent / "static"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _answer(request: Request, error: ApiError) -> Response:
    if _is_api(request):
        return JSONResponse(error.body(), status_code=error.status, headers=error.headers)
    if error.status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    return render_error(request, error)


def _install_errors(app: FastAPI) -> None:
    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return _answer(request, exc)

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        details = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        first = details[0] if details else {"where": "request", "problem": "invalid"}
        message = f"{first['where']}: {first['problem']}"
        return _answer(request, ApiError(422, message, details=details))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _answer(request, ApiError(exc.status_code, str(exc.detail)))

    async def labwarden_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LabwardenError)
        return _answer(request, ApiError(503, exc.message))

    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return _answer(request, ApiError(500, "internal error; the server log has the details"))

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(LabwardenError, labwarden_error)
    app.add_exception_handler(Exception, crash)


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        document = get_openapi(
            title="labwarden",
            version=__version__,
            description=(
                "The labwarden catalog over HTTP. Authenticate with `Authorization: Bearer "
                "TOKEN` (`labwarden users add` prints one) or a page session; changes made "
                "with a session need the `X-CSRF-Token` header. Errors are "
                '`{"error": {"status", "code", "message"}}`.'
            ),
            routes=app.routes,  # pages and health are left out with include_in_schema
        )
        components = document.setdefault("components", {})
        components["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "lw_session"},
        }
        document["security"] = [{"bearer": []}, {"session": []}]
        app.openapi_schema = document
    return app.openapi_schema


def _warm_up(state: ServerState) -> None:
    """Import what the lake and incident pages need and open one lake session before the
    first request, so that the first clients do not wait on imports (DuckDB takes seconds)."""
    import labwarden.respond.incident.breach
    import labwarden.respond.incident.scope
    import labwarden.respond.incident.timeline
    import labwarden.watch.service  # noqa: F401

    with state.lake.engine():
        pass


def create_app(config: ServerConfig) -> FastAPI:
    """The application serving ``config.workspace``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(_warm_up, app.state.server)
        yield
        app.state.server.pool.close()
        app.state.server.lake.close()

    app = FastAPI(
        title="labwarden",
        version=__version__,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.server = ServerState(
        config,
        CatalogPool(config.workspace, config.connections),
        LakePool(config.workspace, size=max(1, config.connections // 2)),
    )
    _install_errors(app)

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    for module in (inventory, alerts, events, incidents, admin):
        app.include_router(module.router, prefix=API)

    @app.get(f"{API}/openapi.json", include_in_schema=False)
    def openapi(who: Viewer) -> dict[str, Any]:
        return _openapi(app)

    for pages in (
        login_pages,
        inventory_pages,
        finding_pages,
        alert_pages,
        incident_pages,
        admin_pages,
    ):
        app.include_router(pages.router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders, hsts=config.secure_cookies)
    app.add_middleware(BodyLimit)
    if is_loopback(config.host) and not config.behind_tls_proxy:
        app.add_middleware(LoopbackHost)
    return app
