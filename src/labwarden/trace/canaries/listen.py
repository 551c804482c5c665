"""``labwarden canary listen``: a small HTTP server that records beacon hits as alerts.

A beacon URL is ``BASE/c/TOKEN`` (anything after the token, such as ``.png`` or a query, is
ignored). A hit on an active beacon canary is stored at once as a critical alert whose evidence
is the request (time, source address, user agent, host, referer); the answer is a 1x1 GIF so
that documents embedding the URL as an image render normally. Other paths get 404.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pyarrow as pa

from labwarden.core.events import LAKE_SCHEMA, EventClass
from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.store.lake import Lake
from labwarden.store.trace import Canary
from labwarden.trace.canaries.kinds import BEACON_PREFIX
from labwarden.trace.canaries.sweep import sweep

log = logging.getLogger(__name__)

PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)
_COUNTER = itertools.count()

Hit = Callable[[str, dict[str, Any]], Canary | None]


def token_of(path: str) -> str | None:
    """The beacon token in a request path, if it is one."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith(BEACON_PREFIX):
        return None
    token = path[len(BEACON_PREFIX) :].split("/", 1)[0].split(".", 1)[0]
    return token if token.isalnum() and 8 <= len(token) <= 64 else None


def to_lake(workspace: Workspace, event: dict[str, Any]) -> None:
    """Store a beacon hit in the lake as an HTTP event of source ``beacon`` (one part per hit,
    written atomically), where timelines, scopes and the canary sweep see it."""
    when = datetime.fromisoformat(str(event["time"]))
    row: dict[str, Any] = dict.fromkeys(LAKE_SCHEMA.names)
    row |= {
        "time": when,
        "class_uid": int(EventClass.HTTP_ACTIVITY),
        "activity": "read",
        "src_ip": event.get("src_ip"),
        "user_agent": event.get("user_agent"),
        "api_service": "beacon",
        "api_operation": str(event.get("activity", "")).removeprefix("http ").upper() or None,
        "resource_type": "url_path",
        "resource_uri": event.get("resource_uri"),
        "status": "success",
        "status_code": "200",
        "host": event.get("host"),
        "event_uid": event["event_uid"],
        "raw": json.dumps(event, sort_keys=True, default=str),
        "asset_canary": True,
    }
    lake = Lake(workspace.lake_path).ensure()
    table = pa.Table.from_pylist([row], schema=LAKE_SCHEMA)
    with lake.writing():
        lake.write_part("beacon", when.date().isoformat(), str(event["event_uid"]), table)


def record_hit(workspace: Workspace, token: str, event: dict[str, Any]) -> Canary | None:
    """Store a hit on the beacon ``token`` in the lake and run the canary sweep, which turns it
    into an alert (one per source address and day, added to the open incidents); the canary,
    or ``None`` when the token is not an active beacon."""
    with Catalog.open(workspace) as catalog:
        canary = catalog.canaries.by_token(token)
        if canary is None or canary.status != "active":
            return None
        to_lake(workspace, event)
        sweep(workspace, catalog)
    return canary


class _Handler(BaseHTTPRequestHandler):
    server: BeaconServer
    server_version = "nginx"
    sys_version = ""

    def _hit(self) -> None:
        token = token_of(self.path)
        canary = None
        if token is not None:
            now = datetime.now(UTC).isoformat()
            uid = hashlib.sha256(
                f"{now}|{self.client_address[0]}|{self.path}|{next(_COUNTER)}".encode()
            ).hexdigest()[:32]
            event = {
                "event_uid": uid,
                "time": now,
                "source": "beacon",
                "activity": f"http {self.command.lower()}",
                "src_ip": self.client_address[0],
                "user_agent": self.headers.get("User-Agent"),
                "resource_uri": self.path,
                "host": self.headers.get("Host"),
                "referer": self.headers.get("Referer"),
                "status": "200",
            }
            canary = self.server.on_hit(token, event)
        if canary is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(PIXEL)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(PIXEL)

    do_GET = _hit
    do_HEAD = _hit
    do_POST = _hit

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.client_address[0], format % args)


class BeaconServer(HTTPServer):
    """The beacon listener; ``on_hit`` stores a hit and returns its canary (``None``: 404)."""

    def __init__(self, host: str, port: int, on_hit: Hit) -> None:
        self.on_hit = on_hit
        super().__init__((host, port), _Handler)


def serve(
    workspace: Workspace, host: str, port: int, report: Callable[[Canary, dict[str, Any]], None]
) -> BeaconServer:
    """A beacon server for ``workspace`` (call ``serve_forever`` on it); ``report`` is told of
    every recorded hit."""

    def on_hit(token: str, event: dict[str, Any]) -> Canary | None:
        canary = record_hit(workspace, token, event)
        if canary is not None:
            report(canary, event)
        return canary

    return BeaconServer(host, port, on_hit)
