"""Who is asking: an API token (``Authorization: Bearer``) or a page session cookie, and roles.

Requests with a session cookie that change something must carry the session's CSRF token (the
``X-CSRF-Token`` header for the API, the ``csrf`` form field for pages) and, when the browser
sends one, an ``Origin`` of this server. Token requests need neither: a browser never adds a
bearer token by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from labwarden.store.catalog import Catalog
from labwarden.store.users import ROLES, User
from labwarden.web import security
from labwarden.web.accounts import Actor
from labwarden.web.errors import ApiError, forbidden, unauthorized
from labwarden.web.state import client_address, server

SESSION_COOKIE = "lw_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Principal:
    """The person behind a request."""

    user_id: int
    name: str
    role: str
    via: str
    """``token`` or ``session``."""
    csrf: str | None
    address: str

    def may(self, role: str) -> bool:
        """Whether this person's role includes ``role``."""
        return ROLES.index(self.role) >= ROLES.index(role)

    def actor(self, door: str) -> Actor:
        """This person as the author of a change made through ``door`` (``api``, ``page``)."""
        return Actor(self.name, self.role, door, self.address)

    def record(
        self, catalog: Catalog, door: str, action: str, target: str, **detail: object
    ) -> None:
        """Append a change made by this person to the audit log."""
        catalog.audit.record(
            self.name,
            action,
            target,
            role=self.role,
            via=door,
            detail=dict(detail),
            address=self.address,
        )


def _principal(user: User, via: str, csrf: str | None, address: str) -> Principal:
    return Principal(user.id, user.name, user.role, via, csrf, address)


def identify(request: Request) -> Principal | None:
    """The person behind ``request``, if it carries a valid token or session."""
    state = server(request)
    address = client_address(request)
    header = request.headers.get("authorization")
    with state.pool.catalog() as catalog:
        if header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise unauthorized("Authorization must be: Bearer TOKEN")
            user = catalog.users.by_token_hash(security.digest(token.strip()))
            if user is None:
                raise unauthorized("the API token is not valid (revoked or mistyped)")
            return _principal(user, "token", None, address)
        secret = request.cookies.get(SESSION_COOKIE)
        if not secret:
            return None
        session = catalog.sessions.get(security.digest(secret))
        if session is None:
            return None
        found = catalog.users.by_id(session.user_id)
    return None if found is None else _principal(found, "session", session.csrf, address)


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host


def check_csrf(request: Request, principal: Principal, token: str | None) -> None:
    """Refuse a cookie-authenticated change without the session's CSRF token (403)."""
    if principal.via != "session":
        return
    if not _same_origin(request):
        raise ApiError(403, "cross-origin request refused")
    if not token or principal.csrf is None or not security.same(token, principal.csrf):
        raise ApiError(403, "missing or wrong CSRF token; reload the page and try again")


def _require(request: Request, role: str, *, header_csrf: bool) -> Principal:
    principal = identify(request)
    if principal is None:
        raise unauthorized()
    if not principal.may(role):
        raise forbidden(role)
    if header_csrf and request.method not in SAFE_METHODS:
        check_csrf(request, principal, request.headers.get("x-csrf-token"))
    return principal


def api_viewer(request: Request) -> Principal:
    """Any logged-in person (API: changes need the CSRF header with a session)."""
    return _require(request, "viewer", header_csrf=True)


def api_analyst(request: Request) -> Principal:
    """An analyst or admin (API)."""
    return _require(request, "analyst", header_csrf=True)


def api_admin(request: Request) -> Principal:
    """An admin (API)."""
    return _require(request, "admin", header_csrf=True)


def page_viewer(request: Request) -> Principal:
    """Any logged-in person (pages check the CSRF form field themselves)."""
    return _require(request, "viewer", header_csrf=False)


def page_analyst(request: Request) -> Principal:
    """An analyst or admin (pages)."""
    return _require(request, "analyst", header_csrf=False)


def page_admin(request: Request) -> Principal:
    """An admin (pages)."""
    return _require(request, "admin", header_csrf=False)


Viewer = Annotated[Principal, Depends(api_viewer)]
Analyst = Annotated[Principal, Depends(api_analyst)]
Admin = Annotated[Principal, Depends(api_admin)]
PageViewer = Annotated[Principal, Depends(page_viewer)]
PageAnalyst = Annotated[Principal, Depends(page_analyst)]
PageAdmin = Annotated[Principal, Depends(page_admin)]
