"""Shell and interpreter histories: bash (with ``#epoch`` stamps), zsh extended, fish, and
plain one-command-a-line files (sh, ash, python, mysql, psql)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

_BASH_STAMP = re.compile(r"^#(\d{9,11})$")
_ZSH = re.compile(r"^: (\d{9,11}):\d+;(.*)$")
_FISH_CMD = re.compile(r"^- cmd: (.*)$")
_FISH_WHEN = re.compile(r"^\s+when: (\d{9,11})$")


@dataclass(frozen=True, slots=True)
class Command:
    """One command and when it ran, when the history says."""

    line: int
    command: str
    time: datetime | None


def _when(text: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(text), UTC)
    except (ValueError, OverflowError, OSError):
        return None


def parse_history(lines: Iterable[tuple[int, str]], fish: bool = False) -> Iterator[Command]:
    """The commands of a history file, oldest first."""
    if fish:
        yield from _fish(lines)
        return
    stamp: datetime | None = None
    for number, text in lines:
        if not text.strip():
            continue
        bash = _BASH_STAMP.match(text)
        if bash:
            stamp = _when(bash[1])
            continue
        zsh = _ZSH.match(text)
        if zsh:
            yield Command(number, zsh[2], _when(zsh[1]))
            continue
        yield Command(number, text, stamp)
        stamp = None


def _fish(lines: Iterable[tuple[int, str]]) -> Iterator[Command]:
    pending: tuple[int, str] | None = None
    for number, text in lines:
        command = _FISH_CMD.match(text)
        if command:
            if pending:
                yield Command(pending[0], pending[1], None)
            pending = (number, command[1])
            continue
        when = _FISH_WHEN.match(text)
        if when and pending:
            yield Command(pending[0], pending[1], _when(when[1]))
            pending = None
    if pending:
        yield Command(pending[0], pending[1], None)
