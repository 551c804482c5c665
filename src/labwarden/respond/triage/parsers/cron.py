"""crontab lines: system tables (with a user field), user tables, and ``@`` schedules."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*=")
_SPECIAL = re.compile(r"^(@\w+)\s+(.*)$")
_FIELD = r"[\d*/,\-A-Za-z]+"
_TIMED = re.compile(rf"^({_FIELD}\s+{_FIELD}\s+{_FIELD}\s+{_FIELD}\s+{_FIELD})\s+(.*)$")


@dataclass(frozen=True, slots=True)
class CronLine:
    """One scheduled command."""

    line: int
    schedule: str
    user: str | None
    command: str


def parse_crontab(
    lines: Iterable[tuple[int, str]], *, system: bool
) -> tuple[list[CronLine], list[tuple[int, str]]]:
    """Commands of a crontab; ``system`` tables name the user after the schedule.

    Returns the commands and the lines that are neither comments, settings nor commands.
    """
    found: list[CronLine] = []
    bad: list[tuple[int, str]] = []
    for number, text in lines:
        stripped = text.strip()
        if not stripped or stripped.startswith("#") or _ENV.match(stripped):
            continue
        match = _SPECIAL.match(stripped) or _TIMED.match(stripped)
        if not match:
            bad.append((number, "not a crontab line"))
            continue
        schedule, rest = match[1], match[2].strip()
        user: str | None = None
        if system:
            pieces = rest.split(None, 1)
            user, rest = pieces[0], pieces[1] if len(pieces) > 1 else ""
        if not rest:
            bad.append((number, "a schedule without a command"))
            continue
        found.append(CronLine(number, " ".join(schedule.split()), user, rest))
    return found, bad
