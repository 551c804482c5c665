"""Timeline output: JSON lines and CSV ready for Timesketch, and a terminal table.

Timesketch imports a CSV or JSONL file whose records have ``message``, ``datetime`` (ISO 8601)
and ``timestamp_desc``; ``timestamp`` (microseconds since the epoch) keeps sub-second order
exact. Every other column is ours (:data:`~labwarden.respond.incident.entries.FIELDS`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from enum import Enum
from typing import Any, TextIO

from rich.table import Table

from labwarden.report.console import plain_console
from labwarden.respond.incident.entries import FIELDS, TimelineEntry

HEAD = ("message", "datetime", "timestamp", "timestamp_desc", "source", "kind")
"""The first CSV columns: Timesketch's three required ones, the timestamp, then ours."""


class TimelineFormat(str, Enum):
    """``--format`` of ``incident timeline``."""

    TABLE = "table"
    JSONL = "jsonl"
    CSV = "csv"


def write_jsonl(lines: Iterable[TimelineEntry], out: TextIO) -> int:
    """One JSON object a line; how many lines."""
    count = 0
    for line in lines:
        out.write(json.dumps(line.to_dict(), ensure_ascii=False, default=str))
        out.write("\n")
        count += 1
    return count


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return "" if value is None else value


def write_csv(lines: Iterable[TimelineEntry], out: TextIO) -> int:
    """A header and one row a line; how many rows."""
    writer = csv.writer(out, lineterminator="\n")
    columns = [*HEAD, *FIELDS]
    writer.writerow(columns)
    count = 0
    for line in lines:
        record = line.to_dict()
        writer.writerow([_cell(record.get(c)) for c in columns])
        count += 1
    return count


def write_table(lines: Iterable[TimelineEntry], out: TextIO, title: str) -> int:
    """A terminal table (time, source, what the time is, message)."""
    table = Table(title=title, header_style="bold", show_lines=False)
    for column in ("time (UTC)", "source", "what", "message"):
        table.add_column(column, overflow="fold")
    count = 0
    for line in lines:
        when = line.to_dict()["datetime"].replace("+00:00", "Z")
        table.add_row(when, line.source, line.timestamp_desc, line.message)
        count += 1
    width = None if getattr(out, "isatty", lambda: False)() else 200
    plain_console(file=out, width=width, highlight=False, markup=False).print(table)
    return count


def write(lines: Iterable[TimelineEntry], fmt: TimelineFormat, out: TextIO, title: str) -> int:
    """Write the lines in ``fmt``; how many."""
    if fmt is TimelineFormat.JSONL:
        return write_jsonl(lines, out)
    if fmt is TimelineFormat.CSV:
        return write_csv(lines, out)
    return write_table(lines, out, title)
