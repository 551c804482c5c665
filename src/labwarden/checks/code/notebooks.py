"""Jupyter notebooks as JSON: the Python of each code cell (IPython magics and shell escapes
replaced so that :mod:`ast` can read it) and the shell commands those escapes run."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from labwarden.core.errors import InputError

_SHELL_CELL = re.compile(r"^%%(?:bash|sh|script\s+(?:ba)?sh|system)\b")
_ESCAPE = re.compile(r"^(?P<indent>\s*)(?:[\w.,\s]+=\s*)?(?P<kind>!!?|%{1,2})(?P<command>.*)$")


@dataclass(frozen=True, slots=True)
class Cell:
    """One code cell: its Python (magics neutralized) and its shell lines, by line in the cell."""

    number: int
    """1-based position among all cells of the notebook."""
    python: str
    shell: list[tuple[int, str]]

    @property
    def member(self) -> str:
        """How findings name the cell."""
        return f"cell {self.number}"


def cells(text: str, path: str) -> Iterator[Cell]:
    """The code cells of a notebook (nbformat 4, and 3's worksheets)."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"{path}: not a notebook: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: not a notebook: top level is not an object")
    given = data.get("cells")
    raw_cells: list[Any] = list(given) if isinstance(given, list) else []
    if not raw_cells:
        sheets = data.get("worksheets")
        for sheet in sheets if isinstance(sheets, list) else []:
            if isinstance(sheet, dict) and isinstance(sheet.get("cells"), list):
                raw_cells.extend(sheet["cells"])
    for number, cell in enumerate(raw_cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", cell.get("input", ""))
        if isinstance(source, list):
            source = "".join(str(s) for s in source)
        if isinstance(source, str):
            yield split_cell(number, source)


def split_cell(number: int, source: str) -> Cell:
    """Separate a cell's shell lines from its Python, keeping line numbers."""
    lines = source.splitlines()
    if lines and _SHELL_CELL.match(lines[0]):
        return Cell(number, "", [(n, line) for n, line in enumerate(lines, 1) if n > 1])
    python: list[str] = []
    shell: list[tuple[int, str]] = []
    for n, line in enumerate(lines, 1):
        found = _ESCAPE.match(line)
        if found is None:
            python.append(line)
            continue
        indent, kind, command = found["indent"], found["kind"], found["command"]
        if kind.startswith("!") or (kind == "%" and re.match(r"(pip|conda|uv)\b", command)):
            shell.append((n, command))
        elif kind == "%" and command.startswith(("sx ", "system ")):
            shell.append((n, command.split(None, 1)[1] if " " in command else ""))
        python.append(f"{indent}pass")
    return Cell(number, "\n".join(python), shell)
