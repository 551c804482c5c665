"""What every request handler reaches: the configuration, the catalog pool, the login limiter."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from labwarden.web.config import ServerConfig
from labwarden.web.lake import LakePool
from labwarden.web.pool import CatalogPool
from labwarden.web.ratelimit import LoginLimiter


@dataclass(slots=True)
class ServerState:
    """The server's shared objects (one per process)."""

    config: ServerConfig
    pool: CatalogPool
    lake: LakePool
    limiter: LoginLimiter = field(default_factory=LoginLimiter)


def server(request: Request) -> ServerState:
    """The :class:`ServerState` of the app handling ``request``."""
    state: ServerState = request.app.state.server
    return state


def client_address(request: Request) -> str:
    """The peer address (a proxy's own address when one is in front)."""
    return request.client.host if request.client else "unknown"
