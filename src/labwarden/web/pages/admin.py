"""Admin pages: users (add, role, rotate token, remove), the audit log, and settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from labwarden.core.errors import InputError
from labwarden.web import accounts
from labwarden.web.api.common import catalog_for
from labwarden.web.auth import PageAdmin
from labwarden.web.errors import ApiError
from labwarden.web.pages.render import form_csrf, render
from labwarden.web.security import MAX_PASSWORD
from labwarden.web.settings import SETTINGS, read_settings, write_setting

router = APIRouter(prefix="/admin")


def _users_page(
    request: Request, who: PageAdmin, *, message: str = "", token: str = "", status: int = 200
) -> Response:
    with catalog_for(request) as catalog:
        users = catalog.users.all()
    return render(
        request,
        "admin_users.html",
        who,
        users=users,
        message=message,
        token=token,
        status=status,
    )


@router.get("/users")
def users_page(request: Request, who: PageAdmin) -> Response:
    """Users and their roles."""
    return _users_page(request, who)


@router.post("/users")
def users_change(
    request: Request,
    who: PageAdmin,
    action: Annotated[str, Form()],
    name: Annotated[str, Form(max_length=64)],
    csrf: Annotated[str, Form(max_length=100)] = "",
    role: Annotated[str, Form()] = "viewer",
    password: Annotated[str, Form(max_length=MAX_PASSWORD)] = "",
) -> Response:
    """Add a user, change a role, rotate a token or remove a user."""
    form_csrf(request, who, csrf)
    actor = who.actor("page")
    token = ""
    try:
        with catalog_for(request) as catalog:
            if action == "add":
                _, token = accounts.add_user(catalog, name, role, password or None, actor)
                message = f"added {name} ({role}); copy the API token now, it is shown once"
            elif action == "role":
                accounts.set_role(catalog, name, role, actor)
                message = f"{name} is now {role}"
            elif action == "token":
                token = accounts.rotate_token(catalog, name, actor)
                message = f"new API token for {name}; the previous one no longer works"
            elif action == "remove":
                accounts.remove_user(catalog, name, actor)
                message = f"removed {name}"
            else:
                raise ApiError(422, f"unknown action {action!r}")
    except (InputError, ApiError) as exc:
        text = exc.message
        return _users_page(request, who, message=text, status=422)
    return _users_page(request, who, message=message, token=token)


@router.get("/audit")
def audit_page(
    request: Request,
    who: PageAdmin,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=100)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Every change, newest first."""
    with catalog_for(request) as catalog:
        entries, total = catalog.audit.find(
            actor=actor or None, action=action or None, limit=100, offset=offset
        )
    return render(
        request,
        "admin_audit.html",
        who,
        entries=entries,
        total=total,
        offset=offset,
        filters={"actor": actor or "", "action": action or ""},
    )


@router.get("/settings")
def settings_page(request: Request, who: PageAdmin, saved: str = "") -> Response:
    """Server settings."""
    with catalog_for(request) as catalog:
        settings = read_settings(catalog)
    return render(request, "admin_settings.html", who, settings=settings, saved=saved)


@router.post("/settings")
def settings_change(
    request: Request,
    who: PageAdmin,
    key: Annotated[str, Form(max_length=100)],
    value: Annotated[str, Form(max_length=1000)],
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Change one setting."""
    form_csrf(request, who, csrf)
    if key not in SETTINGS:
        raise ApiError(404, f"no setting {key!r}")
    with catalog_for(request) as catalog:
        write_setting(catalog, key, value, who, door="page")
    return RedirectResponse(f"/admin/settings?saved={key}", status_code=303)
