"""``/api/v1/me``; for admins ``/users`` (add, remove, rotate, role), ``/audit``, ``/settings``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.requests import Request

from labwarden.core.errors import InputError
from labwarden.web import accounts
from labwarden.web.api.common import Paging, catalog_for
from labwarden.web.auth import Admin, Viewer
from labwarden.web.errors import ApiError
from labwarden.web.security import MAX_PASSWORD
from labwarden.web.settings import SETTINGS, read_settings, write_setting

router = APIRouter(tags=["admin"])

Role = Literal["viewer", "analyst", "admin"]


class NewUser(BaseModel):
    """A user to add."""

    name: Annotated[str, Field(min_length=1, max_length=64)]
    role: Role = "viewer"
    password: Annotated[str | None, Field(max_length=MAX_PASSWORD)] = None


class UserPatch(BaseModel):
    """A change to a user."""

    role: Role | None = None
    password: Annotated[str | None, Field(max_length=MAX_PASSWORD)] = None


@contextmanager
def _conflict() -> Iterator[None]:
    """A refused change to an existing user (the last admin, a short password): 409."""
    try:
        yield
    except InputError as exc:
        raise ApiError(409, exc.message) from exc


@router.get("/me", summary="Who am I")
def get_me(who: Viewer) -> dict[str, Any]:
    """The caller's name, role and how it authenticated."""
    return {"name": who.name, "role": who.role, "via": who.via}


@router.get("/users", summary="List users")
def get_users(request: Request, who: Admin) -> dict[str, Any]:
    """Every user with its role (never a hash)."""
    with catalog_for(request) as catalog:
        users = [u.to_dict() for u in catalog.users.all()]
    return {"items": users, "total": len(users)}


@router.post("/users", status_code=201, summary="Add a user")
def post_user(request: Request, who: Admin, new: NewUser) -> dict[str, Any]:
    """Add a user; the answer holds its API token, shown this once."""
    with catalog_for(request) as catalog:
        user, token = accounts.add_user(catalog, new.name, new.role, new.password, who.actor("api"))
    return {**user.to_dict(), "token": token}


@router.patch("/users/{name}", summary="Change a user's role or password")
def patch_user(request: Request, who: Admin, name: str, change: UserPatch) -> dict[str, Any]:
    """Change the role and/or set the password (its sessions end)."""
    with catalog_for(request, missing="user") as catalog:
        catalog.users.get(name)
        with _conflict():
            if change.role is not None:
                accounts.set_role(catalog, name, change.role, who.actor("api"))
            if change.password is not None:
                accounts.set_password(catalog, name, change.password, who.actor("api"))
        return catalog.users.get(name).to_dict()


@router.post("/users/{name}/token", summary="Rotate a user's API token")
def rotate(request: Request, who: Admin, name: str) -> dict[str, Any]:
    """A new token for ``name`` (shown once); the previous one stops working."""
    with catalog_for(request, missing="user") as catalog:
        catalog.users.get(name)
        token = accounts.rotate_token(catalog, name, who.actor("api"))
    return {"name": name, "token": token}


@router.delete("/users/{name}", status_code=204, summary="Remove a user")
def delete_user(request: Request, who: Admin, name: str) -> None:
    """Remove ``name``; its token and sessions stop working at once."""
    with catalog_for(request, missing="user") as catalog:
        catalog.users.get(name)
        with _conflict():
            accounts.remove_user(catalog, name, who.actor("api"))


@router.get("/audit", summary="The audit log")
def get_audit(
    request: Request,
    who: Admin,
    page: Paging,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    """Every change made through the server or ``labwarden users``, newest first."""
    with catalog_for(request) as catalog:
        entries, total = catalog.audit.find(
            actor=actor, action=action, limit=page.limit, offset=page.offset
        )
    return page.document([e.to_dict() for e in entries], total)


@router.get("/settings", summary="Server settings")
def get_settings(request: Request, who: Admin) -> dict[str, Any]:
    """The settings and their current values."""
    with catalog_for(request) as catalog:
        return read_settings(catalog)


@router.put("/settings/{key}", summary="Change a setting")
def put_setting(request: Request, who: Admin, key: str, value: dict[str, str]) -> dict[str, Any]:
    """Set one setting (body: ``{"value": "..."}``)."""
    if key not in SETTINGS:
        raise ApiError(404, f"no setting {key!r}; known: {', '.join(SETTINGS)}")
    if "value" not in value:
        raise ApiError(422, 'the body is {"value": "..."}')
    with catalog_for(request) as catalog:
        write_setting(catalog, key, value["value"], who)
        return read_settings(catalog)
