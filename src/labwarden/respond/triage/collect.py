"""Collection: every artifact in order, each by its collector, every problem a note."""

from __future__ import annotations

import errno
import json
import logging
import os
import socket
import struct
import time
from collections.abc import Callable

from labwarden.core.errors import WorkspaceError
from labwarden.respond.triage.artifacts import Artifact, load_artifacts
from labwarden.respond.triage.collectors import COLLECTORS
from labwarden.respond.triage.context import Context
from labwarden.respond.triage.host import Unreadable
from labwarden.respond.triage.model import AuthEvent

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
_FULL = (errno.ENOSPC, errno.EDQUOT)


def _one(ctx: Context, artifact: Artifact) -> None:
    try:
        COLLECTORS[artifact.kind](ctx, artifact)
    except Unreadable as exc:
        ctx.unreadable(exc, artifact.name)
    except OSError as exc:
        if exc.errno in _FULL:
            raise WorkspaceError(
                f"{ctx.evidence.folder}: no space left for the evidence ({exc.strerror})"
            ) from exc
        ctx.log.note(artifact.name, f"collection stopped: {exc}", "unreadable", artifact.name)
    except (ValueError, UnicodeError, struct.error) as exc:
        log.warning("%s: %s", artifact.name, exc, exc_info=True)
        ctx.log.note(artifact.name, f"could not be read: {exc}", "corrupt", artifact.name)


def collect(ctx: Context, progress: Progress | None = None) -> dict[str, float]:
    """Collect every artifact; returns the seconds each took."""
    timings: dict[str, float] = {}
    for artifact in load_artifacts():
        if artifact.live and not ctx.host.live:
            ctx.log.note(
                artifact.name,
                "not available: --root has no running system (/proc, commands)",
                "not available",
                artifact.name,
            )
            continue
        if progress is not None:
            progress(artifact.name)
        started = time.monotonic()
        _one(ctx, artifact)
        timings[artifact.name] = round(time.monotonic() - started, 3)
    dedupe_auth(ctx)
    name_users(ctx)
    host_facts(ctx)
    return timings


def name_users(ctx: Context) -> None:
    """Processes are read first (they change fastest), accounts later: name their users now."""
    names = {a.uid: a.name for a in ctx.collected.accounts}
    for process in ctx.collected.processes:
        if process.user is None and process.uid is not None:
            process.user = names.get(process.uid)


def _from_journal(path: object) -> bool:
    return "journalctl" in str(path)


def dedupe_auth(ctx: Context) -> None:
    """Keep each authentication line once: the journal repeats what rsyslog wrote to auth.log
    (same program, process and message), and the file's copy is the one kept."""
    seen: set[tuple[str, object, str]] = set()
    kept: list[AuthEvent] = []
    for event in sorted(ctx.collected.auth, key=lambda e: _from_journal(e.origin.path)):
        key = (event.program, event.pid, event.message)
        if event.pid is not None and key in seen:
            continue
        seen.add(key)
        kept.append(event)
    ctx.collected.auth = sorted(kept, key=lambda e: e.time)
    seen_events: set[tuple[str, object, str]] = set()
    events = []
    for lake_event in sorted(
        ctx.collected.auth_events, key=lambda e: _from_journal(e["origin_file"])
    ):
        raw = json.loads(lake_event.get("raw") or "{}")
        key = (str(lake_event.get("process")), raw.get("pid"), str(raw.get("message")))
        if raw.get("pid") is not None and key in seen_events:
            continue
        seen_events.add(key)
        events.append(lake_event)
    ctx.collected.auth_events = events


def host_facts(ctx: Context) -> None:
    """Host name, OS, kernel and boot id into the acquisition log."""
    facts = ctx.collected.facts
    host = ctx.log.host
    host["hostname"] = facts.get("hostname") or (socket.gethostname() if ctx.host.live else None)
    host["os"] = facts.get("os_pretty_name")
    host["machine_id"] = facts.get("machine_id")
    host["timezone"] = facts.get("timezone")
    if ctx.host.live:
        uname = os.uname()
        host["kernel"] = f"{uname.sysname} {uname.release} {uname.version} {uname.machine}"
        try:
            host["boot_id"] = ctx.host.read("/proc/sys/kernel/random/boot_id", 64).decode().strip()
        except Unreadable:
            host["boot_id"] = None
    else:
        host["kernel"] = "not available (--root)"
        host["boot_id"] = "not available (--root)"
