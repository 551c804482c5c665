"""What one triage run is asked to do: the host, the window, the case and where the archive goes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from labwarden.core.errors import InputError

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """``--since``: a duration back from now (``7d``, ``12h``, ``2w``) or an ISO date or time."""
    now = now or datetime.now(UTC)
    match = _DURATION.match(text)
    if match:
        amount, unit = int(match[1]), match[2].lower()
        return now - timedelta(**{_UNITS[unit]: amount})
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"--since {text!r}: give a duration such as 7d, 12h or 2w, or an ISO date (2026-10-01)"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class TriageOptions:
    """One triage run."""

    root: Path | None = None
    """A mounted image or copied tree; ``None`` reads the running host."""
    output: Path | None = None
    """The evidence archive (``.tar.gz``); a name is made up in the current folder when absent."""
    since: datetime | None = None
    """The window of recent changes (files, keys, logins); default: 7 days back."""
    case: str | None = None
    examiner: str | None = None
    scanners: bool = False
    """Also run chkrootkit and rkhunter when installed (minutes; rkhunter keeps its own files)."""
    commands: bool = True
    """Run the read-only external tools that exist (journalctl, iptables-save, ...)."""
    hidden_scan: bool = True
    """Probe every process id for processes that /proc's listing hides (live only)."""
    command_timeout: float = 120.0

    @property
    def live(self) -> bool:
        """Whether the running host is read (no ``--root``)."""
        return self.root is None

    def window_start(self, now: datetime) -> datetime:
        """The start of the ``--since`` window."""
        return self.since if self.since is not None else now - timedelta(days=7)
