"""Render rows as a terminal table, JSON or CSV, the three formats of every listing command."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from enum import Enum
from typing import Any, TextIO

from rich.table import Table
from rich.text import Text

from labwarden.report.console import plain_console


class OutputFormat(str, Enum):
    """``--format`` of listing commands."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


_STYLES = {
    "restricted": "bold red",
    "confidential": "yellow",
    "internal": "cyan",
    "public": "green",
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}


def styled(value: str) -> Text:
    """Text with sensitivity and severity names coloured; never read as markup, so that names
    and paths holding ``[...]`` or backslashes are shown as they are."""
    return Text(value, style=_STYLES.get(value, ""))


def human_size(size: int) -> str:
    """Bytes in the largest unit that keeps the number at or above 1 (binary prefixes)."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def render_rows(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    fmt: OutputFormat,
    out: TextIO,
    *,
    title: str | None = None,
    document: Any = None,
) -> None:
    """Write ``rows`` in ``fmt``; JSON writes ``document`` when given, else the rows."""
    if fmt is OutputFormat.JSON:
        json.dump(document if document is not None else list(rows), out, indent=2, default=str)
        out.write("\n")
        return
    if fmt is OutputFormat.CSV:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _flat(row.get(k)) for k in columns})
        out.write(buffer.getvalue())
        return
    table = Table(title=Text(title) if title else None, show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(Text(column.replace("_", " ")), overflow="fold")
    for row in rows:
        table.add_row(*(styled(_flat(row.get(c))) for c in columns))
    plain_console(file=out, width=_width(out)).print(table)


def _width(out: TextIO) -> int | None:
    return None if getattr(out, "isatty", lambda: False)() else 160


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_flat(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return str(value)
