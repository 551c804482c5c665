"""Read a bounded sample of a tabular file's string columns, without loading the whole file.

Parquet row groups and CSV blocks are read one at a time until ``max_rows`` rows are in hand;
nothing is deserialized into code (pyarrow reads plain columnar data).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from labwarden.core import safejson
from labwarden.core.errors import InputError

log = logging.getLogger(__name__)

MAX_ROWS = 5000
TABULAR_FORMATS = frozenset({"csv", "tsv", "parquet", "jsonl", "arrow", "feather", "excel"})
MAX_SHEET_BYTES = 16 << 20
"""Decompressed bytes of a workbook's first sheet read for a sample."""


@dataclass(slots=True)
class TableSample:
    """Up to ``max_rows`` values of each column, as text (``None`` for nulls)."""

    columns: dict[str, list[str | None]] = field(default_factory=dict)
    rows: int = 0
    metadata: dict[str, str] = field(default_factory=dict)
    """Schema-level key/value metadata (Parquet), e.g. a ``pseudonymized`` label."""


def sample_table(fmt: str, handle: BinaryIO, *, max_rows: int = MAX_ROWS) -> TableSample:
    """Sample the table in ``handle`` (format ``fmt``); :class:`InputError` if unreadable."""
    reader = _READERS.get(fmt)
    if reader is None:
        raise InputError(f"no table reader for format {fmt!r}")
    try:
        return reader(handle, max_rows)
    except InputError:
        raise
    except Exception as exc:  # pyarrow raises many types for malformed input
        raise InputError(f"cannot read the {fmt} table: {exc}") from exc


def _from_batches(batches: Any, max_rows: int, metadata: dict[str, str]) -> TableSample:
    import pyarrow as pa

    sample = TableSample(metadata=metadata)
    for batch in batches:
        take = min(batch.num_rows, max_rows - sample.rows)
        part = batch.slice(0, take)
        for name, column in zip(part.schema.names, part.columns, strict=True):
            values = sample.columns.setdefault(str(name), [])
            if pa.types.is_nested(column.type) or pa.types.is_binary(column.type):
                values.extend([None] * take)
                continue
            values.extend(None if v is None else str(v) for v in column.to_pylist())
        sample.rows += take
        if sample.rows >= max_rows:
            break
    return sample


def _metadata(raw: dict[bytes, bytes] | None) -> dict[str, str]:
    if not raw:
        return {}
    return {
        k.decode("utf-8", "replace"): v.decode("utf-8", "replace")[:2000]
        for k, v in raw.items()
        if k != b"ARROW:schema"
    }


def _parquet(handle: BinaryIO, max_rows: int) -> TableSample:
    import pyarrow.parquet as pq

    file = pq.ParquetFile(handle)
    batches = file.iter_batches(batch_size=min(max_rows, 4096))
    return _from_batches(batches, max_rows, _metadata(file.schema_arrow.metadata))


def _csv(delimiter: str) -> Callable[[BinaryIO, int], TableSample]:
    def read(handle: BinaryIO, max_rows: int) -> TableSample:
        import pyarrow as pa
        from pyarrow import csv

        reader = csv.open_csv(
            handle,
            read_options=csv.ReadOptions(block_size=1 << 20),
            parse_options=csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=csv.ConvertOptions(
                column_types=None, strings_can_be_null=True, auto_dict_encode=False
            ),
        )
        schema = reader.schema
        as_text = pa.schema([pa.field(n, pa.string()) for n in schema.names])
        batches = (b.cast(as_text) if b.schema != as_text else b for b in reader)
        return _from_batches(batches, max_rows, {})

    return read


def _arrow(handle: BinaryIO, max_rows: int) -> TableSample:
    import pyarrow as pa
    from pyarrow import ipc

    try:
        reader: Any = ipc.open_file(pa.PythonFile(handle, mode="r"))
        batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
    except pa.ArrowInvalid:
        handle.seek(0)
        reader = ipc.open_stream(pa.PythonFile(handle, mode="r"))
        batches = iter(reader)
    return _from_batches(batches, max_rows, _metadata(reader.schema.metadata))


def _jsonl(handle: BinaryIO, max_rows: int) -> TableSample:
    sample = TableSample()
    for number, raw in enumerate(handle, start=1):
        if sample.rows >= max_rows:
            break
        if not raw.strip():
            continue
        try:
            record = safejson.loads(raw)
        except ValueError as exc:
            raise InputError(f"line {number} is not JSON: {exc}") from exc
        if not isinstance(record, dict):
            continue
        for name in record:
            sample.columns.setdefault(str(name), [None] * sample.rows)
        for name, values in sample.columns.items():
            value = record.get(name)
            values.append(None if value is None or isinstance(value, dict | list) else str(value))
        sample.rows += 1
    return sample


def _excel(handle: BinaryIO, max_rows: int) -> TableSample:
    """The first sheet of an .xlsx/.xlsm workbook: its first non-empty row names the columns."""
    from labwarden.inventory.xlsx import read_rows

    if handle.read(4) != b"PK\x03\x04":
        raise InputError("not an .xlsx workbook (legacy .xls is not read)")
    handle.seek(0)
    rows = read_rows(handle, max_rows + 1, MAX_SHEET_BYTES)
    sample = TableSample()
    if not rows:
        return sample
    header: dict[int, str] = {}
    for column, text in sorted(rows[0].items()):
        if text.strip():
            name = text.strip()
            header[column] = name if name not in header.values() else f"{name}.{column}"
    for name in header.values():
        sample.columns.setdefault(name, [])
    for row in rows[1:]:
        for column, name in header.items():
            value = row.get(column)
            sample.columns[name].append(value if value else None)
        sample.rows += 1
    return sample


_READERS: dict[str, Callable[[BinaryIO, int], TableSample]] = {
    "parquet": _parquet,
    "csv": _csv(","),
    "tsv": _csv("\t"),
    "arrow": _arrow,
    "feather": _arrow,
    "jsonl": _jsonl,
    "excel": _excel,
}
