"""systemd journal exports (``journalctl -o json``): sshd, sudo and su as auth.log has them.

Each line is one journal entry as JSON. ``__REALTIME_TIMESTAMP`` (microseconds since the epoch,
UTC) is the time, so unlike classic syslog nothing is guessed; ``_HOSTNAME``,
``SYSLOG_IDENTIFIER`` (or ``_COMM``), ``_PID`` and ``MESSAGE`` become the same event the
auth.log parser makes of a line (:func:`labwarden.watch.parsers.authlog.syslog_event`), so the
same rules (brute force, password spraying, sudo to a shell) run on either. Entries of other
programs are kept as generic events.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from labwarden.core.events import Event
from labwarden.watch.parsers.authlog import PamPairing, syslog_event
from labwarden.watch.parsers.base import JsonRecordParser, LogFile, Report

_SNIFF = re.compile(r'"__REALTIME_TIMESTAMP"\s*:\s*"?\d')
_MAX_MICROSECONDS = 253402300799999999  # 9999-12-31T23:59:59.999999Z


class JournaldParser(JsonRecordParser):
    """``journalctl -o json`` exports."""

    name = "journald"
    description = "systemd journal (journalctl -o json): sshd, sudo, su"
    record_kind = "a journal entry"

    def sniff(self, sample: str) -> bool:
        """Journal entries carry ``__REALTIME_TIMESTAMP``."""
        return bool(_SNIFF.search(sample[:8192]))

    def __init__(self) -> None:
        self._pairing = PamPairing()

    def parse(self, log: LogFile, report: Report) -> Iterator[Event]:
        """The file's entries, PAM and sshd failures of one attempt paired within the file."""
        self._pairing = PamPairing()
        yield from super().parse(log, report)

    def normalize(self, record: dict[str, Any], raw: str) -> Event:
        """One journal entry; ``ValueError`` without a valid ``__REALTIME_TIMESTAMP``."""
        when = _time(record.get("__REALTIME_TIMESTAMP"))
        identifier = _text(record.get("SYSLOG_IDENTIFIER")) or _text(record.get("_COMM")) or "-"
        pid = _whole(record.get("_PID")) or _whole(record.get("SYSLOG_PID"))
        host = (_text(record.get("_HOSTNAME")) or "-").split()[0]
        event = syslog_event(when, host, identifier, pid, _message(record.get("MESSAGE")))
        self._pairing.pair(event, host, pid)
        cursor = _text(record.get("__CURSOR"))
        if cursor:
            event["event_uid"] = f"journald:{cursor}"
        return event


def _time(value: Any) -> datetime:
    micros = _whole(value)
    if micros is None or not 0 <= micros <= _MAX_MICROSECONDS:
        raise ValueError("no __REALTIME_TIMESTAMP (microseconds since the epoch)")
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _message(value: Any) -> str:
    """``MESSAGE`` as text: binary messages are exported as a list of byte values."""
    if isinstance(value, list):
        with contextlib.suppress(TypeError, ValueError):
            return bytes(value).decode("utf-8", "replace").replace("\n", " ")
        return ""
    return str(value or "").replace("\n", " ")
