"""Rendering pages: the template environment, what every page gets, and error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from labwarden.report.tabular import human_size
from labwarden.web.auth import Principal, check_csrf
from labwarden.web.errors import ApiError
from labwarden.web.settings import value
from labwarden.web.state import server

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")
TEMPLATES.env.filters["size"] = human_size
TEMPLATES.env.globals["severities"] = ["critical", "high", "medium", "low", "info"]
TEMPLATES.env.globals["sensitivities"] = ["restricted", "confidential", "internal", "public"]


def _site(request: Request) -> dict[str, str]:
    with server(request).pool.catalog() as catalog:
        return {"lab_name": value(catalog, "lab_name"), "contact": value(catalog, "contact")}


def render(
    request: Request,
    template: str,
    who: Principal | None,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page for ``who`` (``None`` on the login page)."""
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {"who": who, "site": _site(request), "path": request.url.path, **context},
        status_code=status,
    )


def render_error(request: Request, error: ApiError) -> HTMLResponse:
    """The page for an error answer (403, 404, 422, ...)."""
    return TEMPLATES.TemplateResponse(
        request,
        "error.html",
        {"who": None, "site": {"lab_name": "labwarden", "contact": ""}, "error": error},
        status_code=error.status,
        headers=error.headers,
    )


def form_csrf(request: Request, who: Principal, token: str) -> None:
    """Refuse a page form without the session's CSRF token (403)."""
    check_csrf(request, who, token)


def safe_next(target: str | None) -> str:
    """Where to go after login: a path of this server, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
