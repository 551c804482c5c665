"""Every route of the application, found by walking the application itself, so that a route added
later is covered by the security tests without anyone remembering to list it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from labwarden.core.workspace import Workspace
from labwarden.web.app import create_app
from labwarden.web.config import ServerConfig

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC = frozenset({("GET", "/healthz"), ("GET", "/login"), ("POST", "/login")})
"""The only routes answered without login (besides the static CSS, JS and icon)."""
ADMIN_ONLY = re.compile(r"^(/api/v1/(users|audit|settings)|/admin/)")
"""Routes for admins only, whatever the method."""
ANY_USER_CHANGES = frozenset({("POST", "/logout")})
"""Changes every logged-in person may make (ending their own session)."""


@dataclass(frozen=True, slots=True)
class Route:
    """One method on one path template (``/alerts/{alert_id}``)."""

    method: str
    path: str

    @property
    def api(self) -> bool:
        """Whether the route belongs to the REST API (JSON errors) rather than the pages."""
        return self.path.startswith("/api/")

    @property
    def changes(self) -> bool:
        """Whether the route may change something."""
        return self.method not in SAFE

    @property
    def least_role(self) -> str | None:
        """The role this route needs by the project's rules (``None``: public)."""
        if (self.method, self.path) in PUBLIC:
            return None
        if ADMIN_ONLY.match(self.path):
            return "admin"
        if self.changes and (self.method, self.path) not in ANY_USER_CHANGES:
            return "analyst"
        return "viewer"

    def url(self, values: dict[str, str]) -> str:
        """The path with its parameters filled from ``values`` (a missing one is an error that
        says which sample value a new route needs)."""

        def fill(match: re.Match[str]) -> str:
            name = match[1]
            assert name in values, f"{self}: give the test a sample value for {{{name}}}"
            return values[name]

        return re.sub(r"\{(\w+)(?::\w+)?\}", fill, self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _walk(routes: Iterable[object]) -> Iterator[object]:
    for route in routes:
        nested = getattr(route, "effective_route_contexts", None)  # FastAPI's included routers
        if callable(nested):
            yield from _walk(nested())
        else:
            yield route


def app_routes(workspace: Workspace) -> list[Route]:
    """Every (method, path) the application serving ``workspace`` answers, static files aside."""
    app = create_app(ServerConfig(workspace))
    try:
        found = {
            Route(method, str(getattr(route, "path", "")))
            for route in _walk(app.routes)
            for method in getattr(route, "methods", None) or ()
            if method != "HEAD"
        }
    finally:
        app.state.server.pool.close()
        app.state.server.lake.close()
    mounts = [r for r in app.routes if getattr(r, "methods", None) is None and hasattr(r, "path")]
    assert [getattr(m, "path", "") for m in mounts] == ["/static"], mounts
    return sorted(found, key=lambda r: (r.path, r.method))
