"""Login, process and history records into the event lake (source ``triage``).

The one place triage writes the lake, through its store API. Every event has a stable
``event_uid`` (host, artifact and record): a day's events already stored are left out, so a
second triage of the same host adds only what is new.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from labwarden.core.events import LAKE_SCHEMA, Event, EventClass, network_of
from labwarden.core.workspace import Workspace
from labwarden.respond.triage.model import Collected
from labwarden.store.lake import Lake

SOURCE = "triage"


def _uid(*parts: object) -> str:
    text = "\0".join(str(p) for p in parts)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _raw(record: dict[str, Any]) -> str:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False, default=str)


def _logins(collected: Collected, host: str) -> Iterator[Event]:
    for record in collected.logins:
        if record.time is None or record.type not in ("USER_PROCESS", "DEAD_PROCESS"):
            continue
        failed = record.source == "btmp"
        yield {
            "time": record.time,
            "class_uid": int(EventClass.AUTHENTICATION),
            "activity": "logon" if record.type == "USER_PROCESS" else "logoff",
            "status": "failure" if failed else "success",
            "actor_user": record.user or None,
            "src_ip": record.ip,
            "host": host,
            "process": "login",
            "api_service": record.source,
            "api_operation": record.source,
            "resource_type": "tty",
            "resource_uri": record.line or None,
            "origin_file": record.origin.path,
            "origin_line": record.origin.line,
            "event_uid": _uid(host, record.origin.path, record.origin.line, record.time),
            "raw": _raw({"type": record.type, "line": record.line, "host": record.host,
                         "pid": record.pid, "source": record.source}),
        }  # fmt: skip


def _processes(collected: Collected, host: str, now: datetime) -> Iterator[Event]:
    for process in collected.processes:
        yield {
            "time": process.start or now,
            "class_uid": int(EventClass.PROCESS_ACTIVITY),
            "activity": "launch",
            "status": "running",
            "actor_user": process.user,
            "actor_uid": str(process.uid) if process.uid is not None else None,
            "host": host,
            "process": process.exe or process.name,
            "command": process.command,
            "api_service": "triage",
            "api_operation": "process",
            "resource_type": "process",
            "resource_uri": process.cwd,
            "origin_file": "/proc",
            "origin_line": process.pid,
            "event_uid": _uid(host, "process", process.pid, process.start, process.command),
            "raw": _raw({"pid": process.pid, "ppid": process.ppid, "exe": process.exe,
                         "deleted": process.exe_deleted, "cwd": process.cwd}),
        }  # fmt: skip


def _histories(collected: Collected, host: str, now: datetime) -> Iterator[Event]:
    for line in collected.histories:
        mtime = next(
            (f.mtime for f in collected.history_files if f.path == line.origin.path and f.mtime),
            None,
        )
        when = line.time or (datetime.fromtimestamp(mtime, UTC) if mtime else now)
        yield {
            "time": when,
            "class_uid": int(EventClass.PROCESS_ACTIVITY),
            "activity": "execute",
            "status": "unknown",
            "actor_user": line.account,
            "host": host,
            "process": "shell",
            "command": line.command,
            "api_service": "history",
            "api_operation": "history",
            "origin_file": line.origin.path,
            "origin_line": line.origin.line,
            "event_uid": _uid(host, line.origin.path, line.origin.line, line.command),
            "raw": _raw({"history": line.origin.path, "timed": line.time is not None}),
        }


def _auth(collected: Collected, host: str) -> Iterator[Event]:
    for event in collected.auth_events:
        copy = dict(event)
        copy["host"] = copy.get("host") or host
        copy["event_uid"] = _uid(host, copy.get("origin_file"), copy.get("origin_line"))
        yield copy


def events(collected: Collected, host: str, now: datetime) -> list[Event]:
    """Every lake event of one collection."""
    found = [
        *_logins(collected, host),
        *_auth(collected, host),
        *_processes(collected, host, now),
        *_histories(collected, host, now),
    ]
    for event in found:
        event["src_network"] = network_of(event.get("src_ip"))
    return found


def _stored(lake: Lake, day: str) -> set[str]:
    stored: set[str] = set()
    for part in lake.day_parts(SOURCE, day):
        try:
            column = pq.read_table(part, columns=["event_uid"]).column("event_uid")
        except (OSError, pa.ArrowException):
            continue
        stored.update(v for v in column.to_pylist() if v)
    return stored


def store(workspace: Workspace, found: list[Event]) -> int:
    """Write the events not stored yet, one part per day; returns how many were written."""
    if not found:
        return 0
    lake = Lake(workspace.ensure().lake_path).ensure()
    by_day: dict[str, list[Event]] = {}
    for event in found:
        by_day.setdefault(event["time"].astimezone(UTC).date().isoformat(), []).append(event)
    written = 0
    try:
        with lake.writing():
            for day, batch in sorted(by_day.items()):
                stored = _stored(lake, day)
                fresh = {e["event_uid"]: e for e in batch if e["event_uid"] not in stored}
                if not fresh:
                    continue
                rows = sorted(fresh.values(), key=lambda e: (e["time"], e["event_uid"]))
                table = pa.Table.from_pylist(rows, schema=LAKE_SCHEMA)
                name = "triage-" + _uid(*sorted(fresh))[:24]
                if lake.write_part(SOURCE, day, name, table):
                    written += table.num_rows
    finally:
        lake.close()
    return written
