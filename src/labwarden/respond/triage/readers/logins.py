"""Readers of logins: wtmp, btmp and utmp records, wtmpdb, auth.log/secure and the journal."""

from __future__ import annotations

import contextlib
import gzip
import json
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast

from labwarden.core.events import Event, EventClass
from labwarden.respond.triage.context import Context
from labwarden.respond.triage.evidence import Entry
from labwarden.respond.triage.host import Unreadable
from labwarden.respond.triage.model import Account, AuthEvent, LastLogin, LoginRecord, Origin
from labwarden.respond.triage.parsers.sqlite import Database, SQLiteError
from labwarden.respond.triage.parsers.utmp import UtmpFile, UtmpRecord, stream_utmp
from labwarden.watch.parsers.authlog import AuthLogParser
from labwarden.watch.parsers.base import LogFile, RecordError

MAX_RECORDS = 1_000_000
"""Login records of one file kept for the rules and the lake (the file is archived whole)."""


@contextlib.contextmanager
def staged_stream(ctx: Context, entry: Entry) -> Iterator[BinaryIO]:
    """A staged file's bytes, decompressed as they are read when it is gzip."""
    path = ctx.evidence.local(entry)
    with path.open("rb") as handle:
        gz = handle.read(2) == b"\x1f\x8b"
    with gzip.open(path, "rb") if gz else path.open("rb") as stream:
        yield cast(BinaryIO, stream)


class _UpToDamage:
    """``read(n)`` of a stream that ends quietly where its data is damaged (keeping why)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.error: Exception | None = None

    def __call__(self, size: int) -> bytes:
        if self.error is not None:
            return b""
        try:
            return self.stream.read(size)
        except (OSError, EOFError, zlib.error) as exc:
            self.error = exc
            return b""


def _read_records(ctx: Context, entry: Entry, source: str) -> None:
    parsed = UtmpFile(None, [], [], 0, 0)
    kept = 0
    with staged_stream(ctx, entry) as stream:
        read = _UpToDamage(stream)
        for record in stream_utmp(read, parsed, ctx.now):
            if kept == MAX_RECORDS:
                ctx.log.note(entry.source, f"records after the first {MAX_RECORDS:,} are "
                             "archived, not read", "truncated", entry.artifact)  # fmt: skip
                break
            kept += 1
            ctx.collected.logins.append(_login(ctx, entry, source, record))
    if read.error is not None:
        ctx.log.note(entry.source, f"read up to damaged data: {read.error}", "corrupt",
                     entry.artifact)  # fmt: skip
    _record_notes(ctx, entry, parsed)


def _login(ctx: Context, entry: Entry, source: str, record: UtmpRecord) -> LoginRecord:
    return LoginRecord(
        source=source,
        type=record.type,
        user=record.user,
        line=record.line,
        host=record.host,
        ip=record.ip,
        time=record.time,
        pid=record.pid,
        origin=ctx.origin(entry, record.index),
    )


def _record_notes(ctx: Context, entry: Entry, parsed: UtmpFile) -> None:
    where = entry.source
    if parsed.layout is None and parsed.skipped:
        ctx.log.note(where, "no record in any glibc utmp layout", "corrupt", entry.artifact)
        return
    for index, reason in parsed.skipped[:5]:
        ctx.log.note(f"{where} record {index}", f"skipped: {reason}", "corrupt", entry.artifact)
    if parsed.skipped_count > 5:
        ctx.log.note(
            where, f"{parsed.skipped_count - 5} more records skipped", "corrupt", entry.artifact
        )
    if parsed.trailing:
        ctx.log.note(
            where,
            f"{parsed.trailing} bytes after the last whole record (a truncated write)",
            "corrupt",
            entry.artifact,
        )


def read_wtmp(ctx: Context, entry: Entry, _account: Account | None) -> None:
    """Logins, logouts and boots."""
    _read_records(ctx, entry, "wtmp")


def read_btmp(ctx: Context, entry: Entry, _account: Account | None) -> None:
    """Failed logins."""
    _read_records(ctx, entry, "btmp")


def read_utmp(ctx: Context, entry: Entry, _account: Account | None) -> None:
    """Current sessions."""
    _read_records(ctx, entry, "utmp")


def _microseconds(value: Any) -> datetime | None:
    if not isinstance(value, int) or value <= 0:
        return None
    with contextlib.suppress(OverflowError, OSError, ValueError):
        return datetime.fromtimestamp(value / 1_000_000, UTC)
    return None


def read_wtmpdb(ctx: Context, entry: Entry, _account: Account | None) -> None:
    """wtmpdb (``wtmp`` table) and lastlog2 (``Lastlog2`` table), read from the staged copy's
    bytes (:mod:`labwarden.respond.triage.parsers.sqlite`)."""
    try:
        database = Database(ctx.evidence.data(entry))
        _wtmpdb_rows(ctx, entry, database)
        _lastlog2_rows(ctx, entry, database)
    except SQLiteError as exc:
        raise Unreadable(entry.source, str(exc)) from None
    for problem in database.problems[:5]:
        ctx.log.note(entry.source, problem, "corrupt", entry.artifact)


def _wtmpdb_rows(ctx: Context, entry: Entry, database: Database) -> None:
    for row in database.table("wtmp"):
        remote = str(row.get("RemoteHost") or "")
        row_id = row.get("ID")
        ctx.collected.logins.append(
            LoginRecord(
                source="wtmpdb",
                type="BOOT_TIME" if row.get("Type") == 1 else "USER_PROCESS",
                user=str(row.get("User") or ""),
                line=str(row.get("TTY") or ""),
                host=remote,
                ip=_ip_or_none(remote),
                time=_microseconds(row.get("Login")),
                pid=0,
                origin=ctx.origin(entry, row_id if isinstance(row_id, int) else None),
            )
        )


def _lastlog2_rows(ctx: Context, entry: Entry, database: Database) -> None:
    for row in database.table("Lastlog2"):
        when = row.get("Time")
        if not isinstance(when, int) or when <= 0:
            continue
        name = str(row.get("Name") or "")
        account = ctx.collected.account(name)
        ctx.collected.lastlog.append(
            LastLogin(
                uid=account.uid if account else -1,
                user=name,
                time=datetime.fromtimestamp(when, UTC),
                line=str(row.get("TTY") or ""),
                host=str(row.get("RemoteHost") or ""),
                origin=ctx.origin(entry, int(row["rowid"])),
            )
        )


def _ip_or_none(text: str) -> str | None:
    from labwarden.core.events import parse_address

    address = parse_address(text)
    return str(address) if address else None


_PARSER = AuthLogParser()
_SSHD = ("sshd-session[", "sshd-auth[")
"""OpenSSH 9.8 and later log as ``sshd-session``; the auth.log parser knows ``sshd``."""


def _normalized(line: str) -> str:
    for name in _SSHD:
        if name in line:
            return line.replace(name, "sshd[", 1)
    return line


def auth_event(ctx: Context, event: Event, origin: Origin, message: str) -> None:
    """Keep a parsed authentication line for the rules and the lake."""
    if not event.get("class_uid"):
        return
    event["origin_file"] = origin.path
    event["origin_line"] = origin.line
    ctx.collected.auth_events.append(event)
    raw = json.loads(event.get("raw") or "{}")
    if event["class_uid"] != int(EventClass.AUTHENTICATION) or event.get("activity") != "logon":
        return
    ctx.collected.auth.append(
        AuthEvent(
            time=event["time"],
            outcome=str(event.get("status") or "failure"),
            method=str(event.get("api_operation") or ""),
            user=event.get("actor_user"),
            ip=event.get("src_ip"),
            program=str(event.get("process") or ""),
            pid=raw.get("pid"),
            message=message,
            origin=origin,
        )
    )


def read_authlog(ctx: Context, entry: Entry, _account: Account | None) -> None:
    """sshd, sudo and su lines; lines that are not syslog lines are counted in one note."""
    context = _PARSER.context(LogFile(ctx.evidence.local(entry)))
    bad = 0
    first_bad: int | None = None
    for number, line in ctx.evidence.lines(entry):
        try:
            event = _PARSER.parse_line(_normalized(line), context)
        except RecordError:
            bad += 1
            first_bad = first_bad or number
            continue
        if event is not None:
            message = str(json.loads(event["raw"]).get("message", ""))
            auth_event(ctx, event, ctx.origin(entry, number), message)
    if bad:
        ctx.log.note(
            entry.source,
            f"{bad} lines are not syslog lines (the first is line {first_bad})",
            "corrupt",
            entry.artifact,
        )


def read_journal(ctx: Context, entry: Entry, _account: Account | None) -> None:
    """Authentication lines of ``journalctl -o json`` (sshd, sudo, su, login)."""
    context = _PARSER.context(LogFile(ctx.evidence.local(entry)))  # lines carry full ISO times
    bad = 0
    for number, line in ctx.evidence.lines(entry):
        try:
            record = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if not isinstance(record, dict):
            bad += 1
            continue
        text = _journal_line(record)
        if text is None:
            continue
        try:
            event = _PARSER.parse_line(text, context)
        except RecordError:
            continue
        if event is not None:
            auth_event(ctx, event, ctx.origin(entry, number), _message(record))
    if bad:
        ctx.log.note(entry.source, f"{bad} lines are not JSON", "corrupt", entry.artifact)


_AUTH_IDENTIFIERS = {"sshd", "sshd-session", "sshd-auth", "sudo", "su", "login"}


def _message(record: dict[str, Any]) -> str:
    message = record.get("MESSAGE")
    if isinstance(message, list):  # binary messages come as a list of byte values
        with contextlib.suppress(TypeError, ValueError):
            return bytes(message).decode("utf-8", "replace")
        return ""
    return str(message or "")


def _journal_line(record: dict[str, Any]) -> str | None:
    """A journal record as the syslog line rsyslog would have written (ISO time, UTC)."""
    identifier = str(record.get("SYSLOG_IDENTIFIER") or record.get("_COMM") or "")
    if identifier not in _AUTH_IDENTIFIERS:
        return None
    when = _microseconds(_int(record.get("__REALTIME_TIMESTAMP")))
    if when is None:
        return None
    if identifier.startswith("sshd"):
        identifier = "sshd"
    pid = str(record.get("_PID") or record.get("SYSLOG_PID") or "")
    tag = f"{identifier}[{pid}]" if pid.isdigit() else identifier
    host = str(record.get("_HOSTNAME") or "-").split()[0] or "-"
    message = _message(record).replace("\n", " ")
    return f"{when.isoformat().replace('+00:00', 'Z')} {host} {tag}: {message}"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
