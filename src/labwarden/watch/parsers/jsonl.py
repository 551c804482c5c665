"""JSON Lines of any application, with a user-supplied mapping of event columns to fields.

A mapping says which (dotted) field of each record fills which event column, for example
``{"time": "ts", "actor_user": "user.name", "resource_uri": "object"}``. Columns without a
mapping are filled from common field names (``timestamp``, ``user``, ``ip`` ...).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from labwarden.core.errors import InputError
from labwarden.core.events import PARSER_COLUMNS, Event, parse_iso_time
from labwarden.watch.parsers.activity import activity_of
from labwarden.watch.parsers.base import (
    Issue,
    LogFile,
    Parser,
    Report,
    int_or_none,
    iter_json_records,
    text_or_none,
)

DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "time": ("time", "timestamp", "@timestamp", "ts", "date", "eventTime"),
    "actor_user": ("user", "username", "user_name", "actor", "principal", "user.name"),
    "src_ip": ("ip", "client_ip", "src_ip", "remote_addr", "source_ip", "client.ip"),
    "user_agent": ("user_agent", "userAgent", "ua"),
    "api_operation": ("action", "operation", "method", "event", "eventName"),
    "resource_uri": ("resource", "object", "path", "uri", "url", "key"),
    "bytes": ("bytes", "size", "bytes_sent"),
    "status_code": ("status", "status_code", "code"),
    "host": ("host", "hostname"),
}
_NOT_MAPPABLE = {"raw", "origin_file", "origin_line", "class_uid"}


def parse_mapping(items: Mapping[str, str]) -> dict[str, str]:
    """Check a ``column -> field`` mapping; raise :class:`InputError` naming a bad column."""
    allowed = set(PARSER_COLUMNS) - _NOT_MAPPABLE
    for column in items:
        if column not in allowed:
            raise InputError(
                f"--map: {column!r} is not an event column; use one of {', '.join(sorted(allowed))}"
            )
    return dict(items)


def lookup(record: Mapping[str, Any], path: str) -> Any:
    """``record['a']['b']`` for ``a.b``; a literal key with dots wins over nesting."""
    if path in record:
        return record[path]
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _time(value: Any) -> datetime:
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(seconds, UTC)
    if isinstance(value, str):
        return parse_iso_time(value)
    raise ValueError("no time field")


class JsonLinesParser(Parser):
    """Generic JSON Lines with a field mapping."""

    name = "jsonl"
    description = "JSON Lines with a field mapping (--map column=field)"

    def __init__(self, mapping: Mapping[str, str] | None = None, source: str = "jsonl") -> None:
        self.mapping = parse_mapping(mapping or {})
        self.name = source

    def sniff(self, sample: str) -> bool:
        """Any file whose first non-blank character opens a JSON object."""
        return sample.lstrip().startswith("{")

    def _field(self, record: Mapping[str, Any], column: str) -> Any:
        if column in self.mapping:
            return lookup(record, self.mapping[column])
        for name in DEFAULT_FIELDS.get(column, ()):
            value = lookup(record, name)
            if value is not None:
                return value
        return None

    def parse(self, log: LogFile, report: Report) -> Iterator[Event]:
        """Map each record's fields onto event columns."""
        for number, record, raw in iter_json_records(log, report):
            try:
                when = _time(self._field(record, "time"))
            except (ValueError, OverflowError, OSError) as exc:
                report(Issue(log.name, number, f"no usable time field: {exc}"))
                continue
            event: Event = {"time": when, "class_uid": 0, "raw": raw}
            for column in PARSER_COLUMNS:
                if column in event or column in _NOT_MAPPABLE:
                    continue
                value = self._field(record, column)
                if value is None:
                    continue
                event[column] = int_or_none(value) if column == "bytes" else text_or_none(value)
            event.setdefault("activity", activity_of(event.get("api_operation")))
            event["origin_file"] = log.name
            event["origin_line"] = number
            yield event
