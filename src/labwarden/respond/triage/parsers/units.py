"""systemd unit files: ``[Section]`` and ``Key=value`` lines, continuations and comments.

Only what triage judges is kept: every directive with its line, so that ``ExecStart``,
``OnCalendar``, ``User`` or ``WantedBy`` can be quoted back with the line they are on.
"""

from __future__ import annotations

from collections.abc import Iterable

from labwarden.respond.triage.parsers.sudoers import logical_lines

Directives = dict[str, list[tuple[str, int]]]


def parse_unit(lines: Iterable[tuple[int, str]], into: Directives | None = None) -> Directives:
    """``Section.Key`` to its values with line numbers; a drop-in is parsed ``into`` its unit.

    An empty assignment (``ExecStart=``) resets the list, as systemd does.
    """
    directives: Directives = into if into is not None else {}
    section = ""
    for number, text in logical_lines(lines):
        stripped = text.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip()
            continue
        key, sep, value = stripped.partition("=")
        if not sep:
            continue
        name = f"{section}.{key.strip()}"
        value = value.strip()
        if not value:
            directives[name] = []
            continue
        directives.setdefault(name, []).append((value, number))
    return directives


EXEC_KEYS = (
    "Service.ExecStart",
    "Service.ExecStartPre",
    "Service.ExecStartPost",
    "Service.ExecReload",
    "Service.ExecStop",
    "Service.ExecStopPost",
    "Service.ExecCondition",
    "Socket.ExecStartPre",
    "Socket.ExecStartPost",
    "Path.Unit",
    "Timer.Unit",
)
"""Directives that name something to run."""


def commands(directives: Directives) -> list[tuple[str, str, int]]:
    """``(key, command, line)`` of every directive that runs something, prefixes stripped."""
    found = []
    for key in EXEC_KEYS:
        for value, line in directives.get(key, []):
            found.append((key, value.lstrip("@-:+!"), line))
    return found
