"""Column names of tabular files, read from headers and footers only.

Nothing here deserializes objects: CSV headers are split as text, Parquet and Arrow schemas are
read from their metadata, SAS transport (XPT) variable names from their fixed-width headers and
Excel workbooks' header rows from their XML (:mod:`labwarden.inventory.xlsx`).
"""

from __future__ import annotations

import csv
import io
import logging
import struct
from collections.abc import Callable
from typing import BinaryIO

from labwarden.core import safejson

log = logging.getLogger(__name__)

MAX_COLUMNS = 2000
_HEAD = 256 * 1024

Reader = Callable[[BinaryIO, int], list[str] | None]


def read_columns(fmt: str, handle: BinaryIO, size: int) -> list[str] | None:
    """Column names of a tabular file, or ``None`` when the format holds none we can read."""
    reader = _READERS.get(fmt)
    if reader is None:
        return None
    handle.seek(0)
    try:
        columns = reader(handle, size)
    except Exception as exc:
        log.debug("cannot read columns of a %s file: %s", fmt, exc)
        return None
    return columns[:MAX_COLUMNS] if columns is not None else None


def _csv(delimiter: str | None) -> Reader:
    def read(handle: BinaryIO, size: int) -> list[str] | None:
        head = handle.read(min(size, _HEAD)).decode("utf-8", "replace")
        line = head.splitlines()[0] if head else ""
        if not line.strip():
            return None
        sep = delimiter
        if sep is None:
            sep = max((",", ";", "\t", "|"), key=line.count)
        row = next(csv.reader(io.StringIO(line), delimiter=sep))
        return [c.strip().strip("\ufeff") for c in row]

    return read


def _jsonl(handle: BinaryIO, size: int) -> list[str] | None:
    head = handle.read(min(size, _HEAD)).decode("utf-8", "replace")
    for line in head.splitlines():
        if line.strip():
            record = safejson.loads(line)
            return list(record) if isinstance(record, dict) else None
    return None


def _parquet(handle: BinaryIO, size: int) -> list[str] | None:
    import pyarrow.parquet as pq

    schema = pq.read_schema(handle)
    return [str(n) for n in schema.names]


def _arrow(handle: BinaryIO, size: int) -> list[str] | None:
    import pyarrow as pa
    from pyarrow import ipc

    source = pa.PythonFile(handle, mode="r")
    try:
        reader = ipc.open_file(source)
    except pa.ArrowInvalid:
        handle.seek(0)
        reader = ipc.open_stream(pa.PythonFile(handle, mode="r"))
    return [str(n) for n in reader.schema.names]


def _xpt(handle: BinaryIO, size: int) -> list[str] | None:
    """Variable names from SAS transport v5/v6 NAMESTR records (140 bytes each)."""
    data = handle.read(min(size, 4 * 1024 * 1024))
    marker = data.find(b"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!")
    if marker < 0:
        return None
    count = int(data[marker + 54 : marker + 58])
    start = marker + 80
    names = []
    for i in range(min(count, MAX_COLUMNS)):
        record = data[start + i * 140 : start + (i + 1) * 140]
        if len(record) < 140:
            break
        name = struct.unpack(">8s", record[8:16])[0]
        names.append(name.decode("latin-1").strip())
    return names or None


def _excel(handle: BinaryIO, size: int) -> list[str] | None:
    """The header row of an .xlsx/.xlsm workbook (legacy binary .xls is not read)."""
    if handle.read(4) != b"PK\x03\x04":
        return None
    handle.seek(0)
    from labwarden.inventory.xlsx import header_row

    return header_row(handle)


_READERS: dict[str, Reader] = {
    "csv": _csv(None),
    "tsv": _csv("\t"),
    "jsonl": _jsonl,
    "parquet": _parquet,
    "arrow": _arrow,
    "feather": _arrow,
    "sas-xpt": _xpt,
    "excel": _excel,
}
