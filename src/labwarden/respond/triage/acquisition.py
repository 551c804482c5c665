"""The acquisition log: who collected what, when, on which host, with which commands, and what
could not be read and why."""

from __future__ import annotations

import getpass
import os
import platform
import socket
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from labwarden import __version__

MAX_NOTES = 2000
"""Notes kept one by one; beyond that they are counted by reason (a non-root walk of a whole
disk meets thousands of closed folders)."""


def utc_text(value: datetime) -> str:
    """An aware time as ISO 8601 UTC with seconds."""
    return value.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(slots=True)
class CommandRecord:
    """One external tool run: the exact command line, its exit code and where its output is."""

    argv: list[str]
    started: str
    seconds: float
    exit_code: int | None
    """``None`` when it did not finish (timeout) or could not start."""
    stdout: str | None = None
    """The archive path of its standard output, kept verbatim."""
    stderr: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Note:
    """Something that could not be collected or read as expected."""

    where: str
    reason: str
    kind: str = "unreadable"
    """``unreadable``, ``not available``, ``skipped``, ``corrupt`` or ``truncated``."""
    artifact: str | None = None


@dataclass(slots=True)
class AcquisitionLog:
    """Everything an examiner needs to vouch for the collection later."""

    case: str | None
    examiner: str
    mode: str
    """``live`` or ``root``."""
    root: str
    since: str
    started: str
    host: dict[str, str | None] = field(default_factory=dict)
    collector: dict[str, Any] = field(default_factory=dict)
    ended: str | None = None
    commands: list[CommandRecord] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    """Notes beyond :data:`MAX_NOTES`, counted by kind and reason."""
    artifacts: dict[str, int] = field(default_factory=dict)
    """Files archived per artifact."""

    def note(
        self, where: str, reason: str, kind: str = "unreadable", artifact: str | None = None
    ) -> None:
        """Record one problem and go on."""
        if len(self.notes) < MAX_NOTES:
            self.notes.append(Note(where, reason, kind, artifact))
        else:
            self.dropped[f"{kind}: {reason}"] += 1

    def counted(self, artifact: str) -> None:
        """Count one archived file of ``artifact``."""
        self.artifacts[artifact] = self.artifacts.get(artifact, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        """The JSON document written into the archive."""
        return {
            "format": "labwarden-triage-acquisition/1",
            "case": self.case,
            "examiner": self.examiner,
            "mode": self.mode,
            "root": self.root,
            "since": self.since,
            "started": self.started,
            "ended": self.ended,
            "host": self.host,
            "collector": self.collector,
            "commands": [asdict(c) for c in self.commands],
            "notes": [asdict(n) for n in self.notes],
            "notes_not_listed": dict(self.dropped),
            "artifacts": dict(sorted(self.artifacts.items())),
        }


def new_log(
    *, case: str | None, examiner: str | None, live: bool, root: str, since: datetime
) -> AcquisitionLog:
    """A log for a run starting now, with the collector's own identity."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return AcquisitionLog(
        case=case,
        examiner=examiner or user,
        mode="live" if live else "root",
        root=root,
        since=utc_text(since),
        started=utc_text(datetime.now(UTC)),
        collector={
            "tool": "labwarden",
            "version": __version__,
            "python": platform.python_version(),
            "user": user,
            "uid": os.getuid(),
            "euid": os.geteuid(),
            "privileged": os.geteuid() == 0,
            "collector_host": socket.gethostname(),
        },
    )
