"""The incident's lake events: one query over the lake for its selectors and window.

The query names every selector value as a bound parameter and bounds both the event time and
the ``day`` partition, so DuckDB reads only the days of the window and skips row groups whose
statistics exclude the values. Only the columns a timeline shows are read (never ``raw``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa

from labwarden.core.events import EventClass
from labwarden.core.incident import SELECTOR_COLUMNS, StoredIncident
from labwarden.engines.interface import Engine
from labwarden.respond.incident.entries import TimelineEntry

COLUMNS = (
    "time",
    "source",
    "class_uid",
    "activity",
    "actor_user",
    "access_key",
    "src_ip",
    "user_agent",
    "host",
    "api_service",
    "api_operation",
    "status",
    "resource_uri",
    "asset_id",
    "asset_name",
    "asset_sensitivity",
    "bytes",
    "process",
    "command",
    "event_uid",
    "origin_file",
    "origin_line",
)


def selection(incident: StoredIncident) -> tuple[str, list[Any]] | None:
    """The ``WHERE`` clause and parameters that select the incident's events (``None`` when
    it has no selectors)."""
    ors: list[str] = []
    params: list[Any] = []
    for kind, column in SELECTOR_COLUMNS.items():
        values = incident.selected(kind)
        if values:
            ors.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
    if not ors:
        return None
    where = [f"({' OR '.join(ors)})"]
    if incident.since:
        where.append("time >= ?::TIMESTAMPTZ AND day >= ?::DATE")
        params.extend([incident.since, incident.since[:10]])
    if incident.until:
        where.append("time <= ?::TIMESTAMPTZ AND day <= ?::DATE")
        params.extend([incident.until, incident.until[:10]])
    return " AND ".join(where), params


def query(engine: Engine, incident: StoredIncident) -> pa.Table:
    """The incident's lake events, ordered by time and uid (an empty table without
    selectors)."""
    chosen = selection(incident)
    columns = ", ".join(COLUMNS)
    if chosen is None:
        return engine.table(f"SELECT {columns} FROM events WHERE false")  # noqa: S608
    where, params = chosen
    return engine.table(
        f"SELECT {columns} FROM events WHERE {where} ORDER BY time, event_uid",  # noqa: S608
        params,
    )


def kind_of(row: Mapping[str, Any]) -> tuple[str, str]:
    """The line's kind and what its time is."""
    if row.get("class_uid") == int(EventClass.AUTHENTICATION):
        return "auth", "Authentication"
    if row.get("api_operation") == "history":
        return "history", "Shell Command"
    if row.get("class_uid") == int(EventClass.PROCESS_ACTIVITY):
        return "process", "Process Start"
    return "event", "Event Time"


def describe(row: Mapping[str, Any]) -> str:
    """A one-line account of a lake event."""
    who = row.get("actor_user") or row.get("access_key") or "someone"
    what = row.get("command") or row.get("api_operation") or row.get("activity") or "event"
    parts = [f"{who}: {what}"]
    resource = row.get("resource_uri")
    if resource and not row.get("command"):
        parts.append(str(resource))
    if row.get("src_ip"):
        parts.append(f"from {row['src_ip']}")
    if row.get("host"):
        parts.append(f"on {row['host']}")
    status = row.get("status")
    if status and status != "unknown":
        parts.append(f"[{status}]")
    if row.get("bytes"):
        parts.append(f"{row['bytes']} bytes")
    return " ".join(parts)


def entry(
    row: Mapping[str, Any], source: str, alerts: Sequence[int] = (), desc: str | None = None
) -> TimelineEntry:
    """A lake event (a row of :func:`query`, or an alert's stored evidence) as a line."""
    kind, default_desc = kind_of(row)
    origin = row.get("origin_file")
    line = row.get("origin_line")
    when = row["time"]
    if not isinstance(when, datetime):
        raise TypeError("an event without a time")
    return TimelineEntry(
        time=when,
        timestamp_desc=desc or default_desc,
        source=source,
        kind=kind,
        message=describe(row),
        ref=str(row.get("event_uid") or ""),
        fields={
            "principal": row.get("actor_user"),
            "access_key": row.get("access_key"),
            "src_ip": row.get("src_ip"),
            "user_agent": row.get("user_agent"),
            "host": row.get("host"),
            "operation": row.get("api_operation"),
            "status": row.get("status"),
            "resource": row.get("resource_uri"),
            "asset_id": row.get("asset_id"),
            "asset_name": row.get("asset_name"),
            "asset_sensitivity": row.get("asset_sensitivity"),
            "bytes": row.get("bytes"),
            "command": row.get("command"),
            "event_uid": row.get("event_uid"),
            "alerts": list(alerts),
            "origin": f"{origin}:{line}" if origin and line else origin,
            "lake_source": row.get("source"),
        },
    )


def entries(table: pa.Table, evidence: Mapping[str, list[int]]) -> Iterator[TimelineEntry]:
    """The rows of :func:`query` as lines, in order; ``evidence`` maps event uids to the
    alerts they prove."""
    for batch in table.to_batches(max_chunksize=32_768):
        for row in batch.to_pylist():
            yield entry(row, "lake", evidence.get(str(row.get("event_uid")), ()))
