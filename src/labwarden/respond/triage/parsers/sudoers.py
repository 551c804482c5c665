"""sudoers files: the user specifications (who may run what as whom), includes noted.

Comments start with ``#`` except the ``#include`` and ``#includedir`` directives; a line ending
in ``\\`` continues on the next. ``Defaults`` and ``*_Alias`` lines are settings, not grants.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_SETTING = re.compile(
    r"^(Defaults\b|User_Alias\b|Runas_Alias\b|Host_Alias\b|Cmnd_Alias\b|Cmd_Alias\b)"
)
_INCLUDE = re.compile(r"^[#@]include(dir)?\s+(?P<target>\S+)")
_SPEC = re.compile(r"^(?P<who>[^\s=]+(?:\s*,\s*[^\s=]+)*)\s+\S+\s*=")


@dataclass(frozen=True, slots=True)
class SudoLine:
    """A grant or an include."""

    line: int
    kind: str
    """``grant`` or ``include``."""
    principal: str
    """The user, ``%group`` or alias the grant is for (or the included path)."""
    text: str


def logical_lines(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Lines with continuations joined, numbered by their first physical line."""
    start, parts = 0, list[str]()
    for number, text in lines:
        if not parts:
            start = number
        if text.endswith("\\"):
            parts.append(text[:-1])
            continue
        parts.append(text)
        yield start, " ".join(p.strip() for p in parts)
        parts = []
    if parts:
        yield start, " ".join(p.strip() for p in parts)


def parse_sudoers(lines: Iterable[tuple[int, str]]) -> list[SudoLine]:
    """Grants and includes of one sudoers file."""
    found: list[SudoLine] = []
    for number, text in logical_lines(lines):
        stripped = text.strip()
        include = _INCLUDE.match(stripped)
        if include:
            found.append(SudoLine(number, "include", include["target"], stripped))
            continue
        if not stripped or stripped.startswith("#") or _SETTING.match(stripped):
            continue
        spec = _SPEC.match(stripped)
        if spec:
            found.append(SudoLine(number, "grant", spec["who"].split(",")[0].strip(), stripped))
    return found
