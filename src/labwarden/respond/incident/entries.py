"""A timeline line, and how lines from every source are ordered.

Lines are ordered by time (microseconds, UTC), then by source (the lake first, then alerts,
catalog history, triage records, the incident's own notes and changes), then by a reference
stable across runs (the event uid, the alert id, the origin file and line): the same incident
always prints in the same order, even for events within the same microsecond.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SOURCE_RANK = {"lake": 0, "alert": 1, "catalog": 2, "seal": 3, "triage": 4, "incident": 5}
"""Where a line comes from, in the order ties are broken."""

FIELDS = (
    "principal",
    "access_key",
    "src_ip",
    "user_agent",
    "host",
    "operation",
    "status",
    "resource",
    "asset_id",
    "asset_name",
    "asset_sensitivity",
    "bytes",
    "command",
    "event_uid",
    "alerts",
    "origin",
    "lake_source",
    "archive",
)
"""Columns of a line besides time, source, kind and message (in CSV order)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(when: datetime) -> int:
    """Microseconds since the epoch of an aware time (naive is taken as UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = when - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of an incident's timeline."""

    time: datetime
    """Aware, UTC."""
    timestamp_desc: str
    """What the time is (Timesketch's ``timestamp_desc``): ``Event Time``, ``Login``,
    ``File Modified``, ``Alert First Seen``..."""
    source: str
    """One of :data:`SOURCE_RANK`'s keys."""
    kind: str
    """``event``, ``alert``, ``asset``, ``seal``, ``login``, ``auth``, ``process``,
    ``history``, ``file``, ``finding``, ``note``, ``change``."""
    message: str
    ref: str
    """Stable reference that breaks ties (event uid, alert id, origin)."""
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, int, str]:
        """The sort key: time, source, reference."""
        return (micros(self.time), SOURCE_RANK.get(self.source, 9), self.ref)

    def to_dict(self) -> dict[str, Any]:
        """A Timesketch-ready record: ``message``, ``datetime`` (ISO 8601 with offset),
        ``timestamp`` (microseconds), ``timestamp_desc``, then our fields (nulls left out)."""
        out: dict[str, Any] = {
            "message": self.message,
            "datetime": self.time.astimezone(UTC).isoformat(timespec="microseconds"),
            "timestamp": micros(self.time),
            "timestamp_desc": self.timestamp_desc,
            "source": self.source,
            "kind": self.kind,
        }
        out.update({k: v for k, v in self.fields.items() if v is not None and v != []})
        return out
