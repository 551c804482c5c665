"""Reading leaked tables the way they reach a leak site: partial, reformatted, compressed.

A leaked table is often a fragment: cut at a byte boundary (the last line ragged), pasted
without its header, gzip-compressed and truncated, converted to JSON lines. The reader takes
the bytes (of a file or an archive member), recognises the format from the content rather than
the name, keeps every row it can read and counts the ones it cannot, instead of failing on the
first bad line. Every cell is text, as in :mod:`~labwarden.trace.fingerprint.frame`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa

from labwarden.core import safejson
from labwarden.core.errors import InputError
from labwarden.privacy.io import as_text

MAX_INFLATED = 4 << 30
"""The largest decompressed leak read (a gzip bomb stops here)."""
TABLE_SUFFIXES = (
    ".csv",
    ".tsv",
    ".tab",
    ".txt",
    ".parquet",
    ".pq",
    ".jsonl",
    ".ndjson",
    ".json",
)
_DELIMITERS = (",", "\t", ";", "|")
_DATA_LIKE = re.compile(
    r"^\s*$|^\s*-?\d+(\.\d+)?\s*$|@|^\d{4}-\d{2}-\d{2}|^\s*(true|false|null|nan)\s*$", re.I
)


@dataclass(slots=True)
class LeakedTable:
    """A leaked table read as text, and what could not be read."""

    table: pa.Table
    format: str
    skipped_rows: int = 0
    headerless: bool = False
    notes: list[str] = field(default_factory=list)


def is_table_name(name: str) -> bool:
    """Whether a file or member name says it is a table (``.csv``, ``.csv.gz``, ...)."""
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    return lower.endswith(TABLE_SUFFIXES)


def inflate(data: bytes, name: str, notes: list[str]) -> bytes:
    """``data`` uncompressed when it is gzip; a truncated stream gives what it holds."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_INFLATED)
    except zlib.error as exc:
        notes.append(f"{name}: damaged gzip stream, read up to the damage ({exc})")
        return b""
    if inflater.unconsumed_tail:
        notes.append(f"{name}: more than {MAX_INFLATED} bytes uncompressed; read that much")
    elif not inflater.eof:
        notes.append(f"{name}: gzip stream cut short; read what it holds")
    return out


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3:  # a character cut at the end of a fragment
            return data[: exc.start].decode("utf-8")
        return data.decode("latin-1")


def _delimiter(lines: list[str]) -> str:
    best, score = ",", 0.0
    for candidate in _DELIMITERS:
        counts = [line.count(candidate) for line in lines if line]
        if not counts or min(counts) == 0:
            continue
        steady = sum(c == counts[0] for c in counts) / len(counts)
        if steady * counts[0] > score:
            best, score = candidate, steady * counts[0]
    return best


def looks_like_data(fields: list[str]) -> bool:
    """Whether a first line is a data row rather than a header (a number, an empty field, an
    e-mail address, a date, or a repeated name)."""
    if len(set(fields)) < len(fields):
        return True
    return any(_DATA_LIKE.search(f) for f in fields)


def _names(fields: list[str]) -> list[str]:
    out: list[str] = []
    for index, name in enumerate(fields):
        text = name.strip() or f"column_{index + 1}"
        while text in out:
            text += "_"
        out.append(text)
    return out


def _parsed(text: str, delimiter: str) -> tuple[list[list[str]], int]:
    rows: list[list[str]] = []
    bad = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows, bad
        except csv.Error:
            bad += 1
            continue
        if row:
            rows.append(row)


def read_delimited(text: str, name: str, header: bool | None = None) -> LeakedTable:
    """CSV/TSV text. The width is the most common field count of the first lines; a row of
    another width is skipped (a line cut by the leaker, at the start or the end of a fragment);
    ``header=None`` decides from the first full line whether it is a header."""
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise InputError(f"{name}: empty")
    delimiter = _delimiter(lines[:50])
    rows, skipped = _parsed(text, delimiter)
    widths = Counter(len(r) for r in rows[:200])
    width = max(widths, key=lambda w: (widths[w], w))
    start = next(i for i, r in enumerate(rows) if len(r) == width)
    first = rows[start]
    headerless = looks_like_data(first) if header is None else not header
    names = [f"column_{i + 1}" for i in range(width)] if headerless else _names(first)
    body = rows[start:] if headerless else rows[start + 1 :]
    kept = [r for r in body if len(r) == width]
    skipped += start + len(body) - len(kept)
    columns = list(zip(*kept, strict=True)) if kept else [() for _ in names]
    table = pa.table([pa.array(list(c), pa.string()) for c in columns], names=names)
    kind = "tsv" if delimiter == "\t" else "csv"
    return LeakedTable(table, kind, skipped, headerless)


def _json_rows(text: str) -> tuple[list[dict[str, object]], int]:
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            document = safejson.loads(stripped)
        except json.JSONDecodeError:
            document = None
        if isinstance(document, list):
            return [r for r in document if isinstance(r, dict)], 0
        stripped = stripped[1:].replace("},", "}\n")  # a cut array: one object a line
    rows: list[dict[str, object]] = []
    skipped = 0
    for raw in stripped.splitlines():
        line = raw.strip().rstrip(",").rstrip("]")
        if not line:
            continue
        try:
            value = safejson.loads(line)
        except json.JSONDecodeError:
            skipped += 1
            continue
        if isinstance(value, dict):
            rows.append(value)
        else:
            skipped += 1
    return rows, skipped


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def read_json(text: str, name: str) -> LeakedTable:
    """JSON lines or a JSON array of objects (a cut array or a bad line skips that record)."""
    rows, skipped = _json_rows(text)
    if not rows:
        raise InputError(f"{name}: no JSON records of a table")
    names = list(dict.fromkeys(k for r in rows for k in r))
    columns = [pa.array([_cell(r.get(k)) for r in rows], pa.string()) for k in names]
    return LeakedTable(pa.table(columns, names=names), "json", skipped)


def read_parquet(data: bytes, name: str) -> LeakedTable:
    """A Parquet file (it needs its footer: a truncated one is reported as such)."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except (OSError, pa.ArrowException) as exc:
        hint = "" if data.endswith(b"PAR1") else " (cut short: its footer is lost)"
        raise InputError(f"{name}: not a readable Parquet file{hint}: {exc}") from exc
    return LeakedTable(as_text(table), "parquet")


def read_leak(data: bytes, name: str, header: bool | None = None) -> LeakedTable:
    """A leaked table from its bytes, whatever its suffix says."""
    notes: list[str] = []
    data = inflate(data, name, notes)
    if data.startswith(b"PAR1"):
        leaked = read_parquet(data, name)
    else:
        text = _decode(data)
        json_like = text.lstrip()[:1] in ("{", "[")
        leaked = read_json(text, name) if json_like else read_delimited(text, name, header)
    leaked.notes = notes + leaked.notes
    if leaked.skipped_rows:
        leaked.notes.append(
            f"{name}: {leaked.skipped_rows} row(s) not readable (cut or ragged), left out"
        )
    if leaked.headerless:
        leaked.notes.append(f"{name}: no header line; columns paired by their values")
    return leaked
