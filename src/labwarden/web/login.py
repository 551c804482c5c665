"""Page logins: password check with rate limiting, session creation and logout, all audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from labwarden.web import security
from labwarden.web.errors import ApiError
from labwarden.web.settings import value
from labwarden.web.state import ServerState


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session just created: the cookie's secret (never stored) and how long it lasts."""

    secret: str
    csrf: str
    max_age: int


def login(state: ServerState, name: str, password: str, address: str) -> NewSession:
    """Check ``name``'s password and open a session; 401 when wrong, 429 when rate limited."""
    wait = state.limiter.retry_after(address, name)
    if wait:
        raise ApiError(
            429,
            f"too many failed logins; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    with state.pool.catalog() as catalog:
        user = catalog.users.find(name)
        stored = catalog.users.password_hash(name) if user is not None else None
        if user is None or not security.check_password(stored, password):
            state.limiter.failed(address, name)
            catalog.audit.record(
                "anonymous", "login.failed", name[:64], via="page", address=address
            )
            raise ApiError(401, "wrong user name or password")
        hours = float(value(catalog, "session_hours"))
        secret, csrf = security.new_secret(), security.new_secret()
        expires = datetime.now(UTC) + timedelta(hours=hours)
        with catalog.transaction():
            catalog.sessions.create(
                security.digest(secret),
                user.id,
                csrf,
                expires.isoformat(timespec="seconds"),
                address,
            )
            catalog.audit.record(
                user.name, "login", user.name, role=user.role, via="page", address=address
            )
    state.limiter.succeeded(address, name)
    return NewSession(secret, csrf, int(hours * 3600))


def logout(state: ServerState, secret: str, name: str, address: str) -> None:
    """End the session whose cookie holds ``secret``."""
    with state.pool.catalog() as catalog, catalog.transaction():
        catalog.sessions.delete(security.digest(secret))
        catalog.audit.record(name, "logout", name, via="page", address=address)
