"""What an attached triage archive adds to an incident: logins, authentication lines, running
processes, shell history commands, file times of the bodyfile, and triage's findings.

Records are read back with triage's own readers and parsers from the archived copies and turned
into lake events by triage's own :func:`labwarden.respond.triage.lake.events`, so each has the
``event_uid`` triage gave it when it fed the lake: the timeline shows an event once, whether it
came from the lake or from the archive.
"""

from __future__ import annotations

import contextlib
import json
import logging
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from labwarden.core.events import Event, parse_iso_time
from labwarden.respond.incident.unpack import Unpacked, unpack
from labwarden.respond.triage import lake as triage_lake
from labwarden.respond.triage.acquisition import AcquisitionLog
from labwarden.respond.triage.artifacts import load_artifacts
from labwarden.respond.triage.context import Context
from labwarden.respond.triage.evidence import Entry, Evidence
from labwarden.respond.triage.host import Host, Unreadable
from labwarden.respond.triage.model import HistoryFile, HistoryLine, Origin, Process
from labwarden.respond.triage.options import TriageOptions
from labwarden.respond.triage.parsers.history import parse_history
from labwarden.respond.triage.parsers.procfs import parse_stat, parse_status, real_uid
from labwarden.respond.triage.readers import read

log = logging.getLogger(__name__)

RECORD_PARSERS = ("passwd", "wtmp", "btmp", "utmp", "wtmpdb", "authlog", "journal")
"""Readers whose records become timeline lines (``passwd`` names the owners of the rest)."""
HISTORY_ARTIFACTS = ("histories",)
LINKS = "artifacts/links/"
"""Where triage records a history that is a link (to /dev/null): not a history to read."""
PROCESSES_FILE = "artifacts/live/processes.jsonl"
BODYFILE = "artifacts/walk/bodyfile.txt"
_FINDING_TIMES = ("time", "login_time", "first_failure_at", "first_seen", "mtime", "changed")


@dataclass(frozen=True, slots=True)
class FileTimes:
    """A bodyfile line: a file and its times (``None`` where the bodyfile has 0)."""

    path: str
    mode: str
    uid: str
    size: int
    mtime: datetime | None
    ctime: datetime | None
    crtime: datetime | None
    line: int


@dataclass(frozen=True, slots=True)
class TriageFinding:
    """A finding of the archive placed in time, with what that time is."""

    time: datetime
    time_desc: str
    finding: dict[str, Any]


@dataclass(slots=True)
class TriageFeed:
    """What one archive adds to a timeline."""

    archive: str
    host: str
    case: str | None
    acquired: datetime
    events: list[Event] = field(default_factory=list)
    files: list[FileTimes] = field(default_factory=list)
    findings: list[TriageFinding] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Why the archive is not intact (manifest mismatches), or what could not be read."""
    intact: bool = True
    sealed: bool = False
    """The archive carries a seal over its evidence (``labwarden verify`` checks it)."""


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    with contextlib.suppress(ValueError):
        return parse_iso_time(value)
    return None


def _entries(unpacked: Unpacked) -> list[Entry]:
    found: list[Entry] = []
    for item in unpacked.manifest.get("files") or []:
        rel = item.get("path") if isinstance(item, dict) else None
        if not isinstance(rel, str) or rel not in unpacked.digests:
            continue
        mtime = _time(item.get("mtime"))
        found.append(
            Entry(
                path=rel,
                sha256=str(item.get("sha256")),
                size=int(item.get("size") or 0),
                artifact=str(item.get("artifact") or ""),
                source=str(item.get("source") or rel),
                mtime=mtime.timestamp() if mtime else None,
            )
        )
    return found


def _context(unpacked: Unpacked, acquired: datetime) -> Context:
    since = _time(unpacked.acquisition.get("since")) or acquired
    empty = unpacked.folder.parent / "no-host"
    log_ = AcquisitionLog(
        case=None, examiner="", mode="root", root=str(empty), since="", started=""
    )
    evidence = Evidence(unpacked.folder)
    return Context(Host(empty), evidence, log_, TriageOptions(root=empty), acquired, since)


def _owner(ctx: Context, path: str) -> str | None:
    homes = sorted(ctx.collected.accounts, key=lambda a: len(a.home), reverse=True)
    for account in homes:
        home = account.home.rstrip("/")
        if home and path.startswith(home + "/"):
            return account.name
    return None


def _histories(ctx: Context, entries: list[Entry]) -> None:
    for entry in entries:
        if entry.artifact not in HISTORY_ARTIFACTS or entry.path.startswith(LINKS):
            continue
        owner = _owner(ctx, entry.source)
        origin = Origin(entry.source, entry.path)
        ctx.collected.history_files.append(
            HistoryFile(owner, entry.source, entry.size, entry.mtime, None, origin)
        )
        fish = entry.source.endswith("fish_history")
        lines = ctx.evidence.lines(entry)
        ctx.collected.histories.extend(
            HistoryLine(owner, c.command, c.time, origin.at(c.line))
            for c in parse_history(lines, fish=fish)
        )


def _process(record: dict[str, Any], origin: Origin, ctx: Context) -> Process:
    parsed = parse_stat(str(record.get("stat") or ""))
    status = parse_status(str(record.get("status") or ""))
    uid = real_uid(status)
    exe = record.get("exe")
    exe_text = str(exe) if isinstance(exe, str) else None
    cmdline = record.get("cmdline")
    return Process(
        pid=int(record.get("pid") or 0),
        ppid=parsed.ppid if parsed else 0,
        uid=uid,
        user=ctx.collected.user_of(uid),
        name=parsed.comm if parsed else status.get("Name", "?"),
        cmdline=[str(a) for a in cmdline] if isinstance(cmdline, list) else [],
        exe=exe_text.removesuffix(" (deleted)") if exe_text else None,
        exe_deleted=bool(exe_text and exe_text.endswith(" (deleted)")),
        cwd=record.get("cwd") if isinstance(record.get("cwd"), str) else None,
        start=_time(record.get("start")),
        state=parsed.state if parsed else "?",
        tty=parsed.tty if parsed else 0,
        rss_kb=None,
        cpu_seconds=None,
        origin=origin,
    )


def _processes(ctx: Context, entries: list[Entry], problems: list[str]) -> None:
    entry = next((e for e in entries if e.path == PROCESSES_FILE), None)
    if entry is None:
        return
    for number, text in ctx.evidence.lines(entry):
        try:
            record = json.loads(text)
            if not isinstance(record, dict):
                raise TypeError("not an object")
            origin = Origin(entry.source, entry.path, number)
            ctx.collected.processes.append(_process(record, origin, ctx))
        except (ValueError, TypeError) as exc:
            problems.append(f"{entry.path}:{number}: not a process record ({exc})")


def _stamp(text: str) -> datetime | None:
    with contextlib.suppress(ValueError, OverflowError, OSError):
        seconds = int(text)
        return datetime.fromtimestamp(seconds, UTC) if seconds > 0 else None
    return None


def parse_bodyfile_line(text: str, number: int) -> FileTimes | None:
    """One mactime bodyfile line (``MD5|name|inode|mode|uid|gid|size|atime|mtime|ctime|crtime``;
    the name may hold ``|``); ``None`` when the line is not one."""
    fields = text.split("|")
    if len(fields) < 11:
        return None
    tail = fields[-9:]
    name = "|".join(fields[1:-9])
    try:
        size = int(tail[4])
    except ValueError:
        return None
    return FileTimes(
        path=name,
        mode=tail[1],
        uid=tail[2],
        size=size,
        mtime=_stamp(tail[6]),
        ctime=_stamp(tail[7]),
        crtime=_stamp(tail[8]),
        line=number,
    )


def _bodyfile(ctx: Context, entries: list[Entry]) -> list[FileTimes]:
    entry = next((e for e in entries if e.path == BODYFILE), None)
    if entry is None:
        return []
    return [
        parsed
        for number, text in ctx.evidence.lines(entry)
        if (parsed := parse_bodyfile_line(text, number)) is not None
    ]


def _finding_time(
    finding: dict[str, Any], at_line: dict[tuple[str, int], datetime], mtimes: dict[str, float]
) -> tuple[datetime, str] | None:
    evidence = finding.get("evidence")
    if isinstance(evidence, dict):
        for key in _FINDING_TIMES:
            if (when := _time(evidence.get(key))) is not None:
                return when, f"Triage finding ({key})"
    location = finding.get("location")
    if isinstance(location, dict) and isinstance(location.get("path"), str):
        line = location.get("line")
        if isinstance(line, int) and (location["path"], line) in at_line:
            return at_line[(location["path"], line)], "Triage finding (time of the record)"
        if location["path"] in mtimes:
            when = datetime.fromtimestamp(mtimes[location["path"]], UTC)
            return when, "Triage finding (file modified)"
    return None


def _findings(feed: TriageFeed, unpacked: Unpacked, entries: list[Entry]) -> None:
    at_line = {
        (str(e.get("origin_file")), int(e["origin_line"])): e["time"]
        for e in feed.events
        if isinstance(e.get("origin_line"), int)
    }
    mtimes = {e.source: e.mtime for e in entries if e.mtime is not None}
    for finding in unpacked.findings:
        placed = _finding_time(finding, at_line, mtimes)
        when, desc = placed or (feed.acquired, "Triage finding (time of the acquisition)")
        feed.findings.append(TriageFinding(when, desc, finding))


def read_feed(unpacked: Unpacked, archive: str) -> TriageFeed:
    """Everything a checked, unpacked archive holds for a timeline."""
    acquisition = unpacked.acquisition
    acquired = _time(acquisition.get("started")) or datetime.now(UTC)
    host_facts = acquisition.get("host")
    host = str(host_facts.get("hostname") or "") if isinstance(host_facts, dict) else ""
    case = acquisition.get("case")
    feed = TriageFeed(archive, host, case if isinstance(case, str) else None, acquired)
    feed.problems.extend(unpacked.problems)
    feed.intact = unpacked.intact
    feed.sealed = unpacked.seal is not None
    entries = _entries(unpacked)
    ctx = _context(unpacked, acquired)
    parsers = {a.name: a.parser for a in load_artifacts() if a.parser in RECORD_PARSERS}
    ordered = sorted(entries, key=lambda e: parsers.get(e.artifact) != "passwd")
    for entry in ordered:
        parser = parsers.get(entry.artifact)
        if parser is not None:
            read(ctx, parser, entry, None)
    try:
        _histories(ctx, entries)
        _processes(ctx, entries, feed.problems)
        feed.files = _bodyfile(ctx, entries)
    except Unreadable as exc:
        feed.problems.append(f"{exc.path}: {exc.reason}")
    feed.problems.extend(f"{n.where}: {n.reason}" for n in ctx.log.notes)
    feed.events = triage_lake.events(ctx.collected, host, acquired)
    _findings(feed, unpacked, entries)
    return feed


def read_archive(path: Path) -> TriageFeed:
    """Unpack, check and read one triage archive (a scratch folder is removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="labwarden-triage-") as scratch:
        return read_feed(unpack(path, Path(scratch)), str(path))
