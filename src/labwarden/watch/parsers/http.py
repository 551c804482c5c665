"""HTTP access logs in the common and combined formats (nginx, Apache, model registries and
inference APIs); trailing extra fields such as the request time are kept in ``raw``."""

from __future__ import annotations

import re
from datetime import UTC
from typing import Any
from urllib.parse import unquote, urlsplit

from labwarden.core.events import Event, EventClass
from labwarden.watch.parsers.base import (
    LineParser,
    RecordError,
    int_or_none,
    raw_json,
    text_or_none,
)
from labwarden.watch.parsers.clf import clf_time, tokens

_SNIFF = re.compile(r'^\S+ \S+ \S+ \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "', re.M)
_ACTIVITY = {
    "GET": "read",
    "HEAD": "read",
    "POST": "create",
    "PUT": "write",
    "PATCH": "update",
    "DELETE": "delete",
}


class HttpAccessParser(LineParser):
    """Common/combined log format lines."""

    name = "http"
    description = "HTTP access logs (common and combined format)"

    def sniff(self, sample: str) -> bool:
        """Client, ident, user, bracketed time, then the quoted request."""
        return bool(_SNIFF.search(sample))

    def parse_line(self, line: str, context: Any) -> Event | None:
        """One request line."""
        values = tokens(line)
        if len(values) < 7:
            raise RecordError(f"HTTP access log line has {len(values)} fields, at least 7 expected")
        client, _ident, user, stamp, request, status, size = values[:7]
        referer = values[7] if len(values) > 7 else None
        agent = values[8] if len(values) > 8 else None
        when = clf_time(stamp).astimezone(UTC)
        parts = request.split(" ")
        method = parts[0] if len(parts) >= 2 else None
        target = parts[1] if len(parts) >= 2 else None
        path = unquote(urlsplit(target).path) if target else None
        if not status.isdigit() and status != "-":
            raise RecordError(f"bad HTTP status {status!r}")
        record: dict[str, Any] = {
            "client": client,
            "user": user,
            "time": stamp,
            "request": request,
            "method": method,
            "path": path,
            "status": status,
            "size": size,
            "referer": referer,
            "user_agent": agent,
        }
        if len(values) > 9:
            record["extra"] = values[9:]
        code = text_or_none(status)
        return {
            "time": when,
            "class_uid": int(EventClass.HTTP_ACTIVITY),
            "activity": _ACTIVITY.get(method or "", "other"),
            "actor_user": text_or_none(user),
            "src_ip": text_or_none(client),
            "user_agent": text_or_none(agent),
            "api_service": "http",
            "api_operation": method,
            "resource_type": "url_path" if path else None,
            "resource_uri": path,
            "bytes": int_or_none(size),
            "status": "failure" if code and code[:1] in ("4", "5") else "success",
            "status_code": code,
            "raw": raw_json(record),
        }
