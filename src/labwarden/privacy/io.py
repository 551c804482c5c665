"""Read and write the tables the privacy commands work on: CSV/TSV, Parquet and SAS XPT.

Every column is read as text, so that codes like ``01234`` keep their leading zeros and values
match the text of ARX-style hierarchy files exactly.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc

from labwarden.core.errors import InputError, WorkspaceError
from labwarden.privacy.xpt import parse_xpt, read_xpt
from labwarden.store.atomic import atomic_path

log = logging.getLogger(__name__)

_CSV_SUFFIXES = {".csv": None, ".tsv": "\t", ".tab": "\t", ".txt": None}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_XPT_SUFFIXES = {".xpt"}


def table_format(path: Path) -> str:
    """``csv``, ``parquet`` or ``xpt`` from the file name; raises :class:`InputError` otherwise."""
    suffix = path.suffix.lower()
    if suffix in _CSV_SUFFIXES:
        return "csv"
    if suffix in _PARQUET_SUFFIXES:
        return "parquet"
    if suffix in _XPT_SUFFIXES:
        return "xpt"
    raise InputError(
        f"{path}: unsupported table format {suffix or '(none)'}; use csv, tsv, parquet or xpt"
    )


def sniff_delimiter(path: Path, encoding: str = "utf-8") -> str:
    """The delimiter: tab for .tsv, else the most frequent of , ; tab | in the first line."""
    if path.suffix.lower() in (".tsv", ".tab"):
        return "\t"
    try:
        with path.open("r", encoding=encoding, errors="replace") as handle:
            first = handle.readline()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    if not first.strip():
        raise InputError(f"{path}: empty file (no header line)")
    return max((",", ";", "\t", "|"), key=first.count)


def read_columns(path: Path, encoding: str = "utf-8") -> list[str]:
    """The column names of a table, reading as little as the format allows (``encoding``: of a
    CSV or TSV file)."""
    _check_encoding(encoding)
    fmt = table_format(path)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            return [str(n) for n in pq.read_schema(path).names]
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"{path}: not a readable Parquet file: {exc}") from exc
    if fmt == "xpt":
        return [str(n) for n in read_xpt(path, columns=None, header_only=True).column_names]
    delimiter = sniff_delimiter(path, encoding)
    import csv

    with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
        row = next(csv.reader(handle, delimiter=delimiter), [])
    return [c.strip().lstrip("\ufeff") for c in row]


def read_table(
    path: Path, columns: list[str] | None = None, *, text: bool = True, encoding: str = "utf-8"
) -> pa.Table:
    """The table at ``path`` with every column as text (nulls kept as nulls).

    ``columns`` restricts what is read (and is checked: an unknown name is an error naming the
    file and the columns it has). ``text=False`` keeps the file's own column types. ``encoding``
    is that of a CSV or TSV file; bytes that are not in it are an error naming the line.
    """
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    fmt = table_format(path)
    if columns is not None:
        _check_columns(path, columns, read_columns(path, encoding))
    if fmt == "parquet":
        table = _read_parquet(path, columns)
    elif fmt == "xpt":
        table = read_xpt(path, columns=columns)
    else:
        table = _read_csv(path, columns, encoding)
    return as_text(table) if text else table


def _check_encoding(encoding: str) -> None:
    import codecs

    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(f"--encoding {encoding}: not a known text encoding") from None


def _undecodable(path: Path, encoding: str) -> InputError:
    """The error for a text file that is not in ``encoding``, naming its first bad line."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError as exc:
                return InputError(
                    f"{path}: line {number} is not valid {encoding} (byte 0x{line[exc.start]:02x} "
                    f"at column {exc.start + 1}); if the file is in another encoding, give it with "
                    "--encoding, for example --encoding latin-1 or --encoding cp1252"
                )
    return InputError(f"{path}: not valid {encoding}; give the file's encoding with --encoding")


def _check_columns(path: Path | str, wanted: list[str], present: list[str]) -> None:
    missing = [c for c in wanted if c not in present]
    if missing:
        raise InputError(
            f"{path}: unknown column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (the file has: {', '.join(present)})"
        )


def _read_parquet(path: Path, columns: list[str] | None) -> pa.Table:
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path, columns=columns)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{path}: not a readable Parquet file: {exc}") from exc


def _read_csv(path: Path, columns: list[str] | None, encoding: str = "utf-8") -> pa.Table:
    delimiter = sniff_delimiter(path, encoding)
    names = read_columns(path, encoding)
    try:
        return _parse_csv(path, names, delimiter, columns, encoding)
    except pa.ArrowInvalid as exc:
        if "utf8" in str(exc).lower() or "utf-8" in str(exc).lower():
            raise _undecodable(path, encoding) from exc
        raise InputError(
            f"{path}: malformed {'TSV' if delimiter == chr(9) else 'CSV'}: {exc}"
        ) from exc


def _parse_csv(
    source: Path | pa.BufferReader,
    names: list[str],
    delimiter: str,
    columns: list[str] | None,
    encoding: str,
) -> pa.Table:
    from pyarrow import csv

    wanted = columns if columns is not None else names
    convert = csv.ConvertOptions(
        column_types=dict.fromkeys(wanted, pa.string()),
        include_columns=wanted,
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    return csv.read_csv(
        source,
        read_options=csv.ReadOptions(
            column_names=names, skip_rows=1, block_size=16 << 20, encoding=encoding
        ),
        parse_options=csv.ParseOptions(delimiter=delimiter),
        convert_options=convert,
    )


def read_table_from(
    handle: BinaryIO, name: str, columns: list[str] | None = None, *, text: bool = True
) -> pa.Table:
    """The table in an open binary file (an object in a store, read under its byte budget);
    ``name`` gives the format (its suffix) and names the table in errors. Parquet reads only
    the footer and the column chunks of ``columns``; CSV and XPT are read whole."""
    path = Path(name.split("://", 1)[-1])
    try:
        fmt = table_format(path)
    except InputError:
        raise InputError(
            f"{name}: unsupported table format {path.suffix or '(none)'}; "
            "use csv, tsv, parquet or xpt"
        ) from None
    try:
        if fmt == "parquet":
            table = _parquet_from(handle, name, columns)
        else:
            data = handle.read()
            if fmt == "xpt":
                if columns is not None:
                    header = parse_xpt(data, name, None, header_only=True)
                    _check_columns(name, columns, [str(n) for n in header.column_names])
                table = parse_xpt(data, name, columns)
            else:
                table = _csv_from(data, name, path, columns)
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc}") from exc
    return as_text(table) if text else table


def _parquet_from(handle: BinaryIO, name: str, columns: list[str] | None) -> pa.Table:
    import pyarrow.parquet as pq

    try:
        present = [str(n) for n in pq.read_schema(handle).names]
        if columns is not None:
            _check_columns(name, columns, present)
        handle.seek(0)
        return pq.read_table(handle, columns=columns)
    except pa.ArrowException as exc:
        raise InputError(f"{name}: not a readable Parquet file: {exc}") from exc


def _csv_from(data: bytes, name: str, path: Path, columns: list[str] | None) -> pa.Table:
    import csv as pycsv

    lines = data[: 1 << 20].decode("utf-8", errors="replace").splitlines()
    first = lines[0] if lines else ""
    if not first.strip():
        raise InputError(f"{name}: empty file (no header line)")
    tab = path.suffix.lower() in (".tsv", ".tab")
    delimiter = "\t" if tab else max((",", ";", "\t", "|"), key=first.count)
    names = [
        c.strip().lstrip("\ufeff") for c in next(pycsv.reader([first], delimiter=delimiter), [])
    ]
    if columns is not None:
        _check_columns(name, columns, names)
    try:
        return _parse_csv(pa.BufferReader(data), names, delimiter, columns, "utf-8")
    except pa.ArrowInvalid as exc:
        kind = "TSV" if delimiter == "\t" else "CSV"
        raise InputError(f"{name}: malformed {kind}: {exc}") from exc


def as_text(table: pa.Table) -> pa.Table:
    """Every column cast to text; whole floats print without ``.0`` so 34.0 matches 34."""
    arrays = []
    for column in table.columns:
        kind = column.type
        if pa.types.is_floating(kind):
            whole = pc.equal(column, pc.floor(column))
            as_int = pc.if_else(whole, column, None).cast(pa.int64(), safe=False).cast(pa.string())
            arrays.append(pc.if_else(whole, as_int, column.cast(pa.string())))
        elif pa.types.is_date(kind):
            arrays.append(pc.strftime(column, format="%Y-%m-%d"))
        elif pa.types.is_timestamp(kind):
            arrays.append(pc.strftime(column, format="%Y-%m-%dT%H:%M:%S"))
        else:
            arrays.append(column.cast(pa.string()))
    return pa.table(arrays, names=table.column_names)


def write_table(table: pa.Table, path: Path) -> None:
    """Write ``table`` as CSV (the delimiter follows the suffix) or Parquet, atomically."""
    fmt = table_format(path)
    if fmt not in ("parquet", "csv"):
        raise InputError(f"{path}: cannot write SAS XPT; write .csv, .tsv or .parquet")
    try:
        with atomic_path(path) as tmp:
            if fmt == "parquet":
                import pyarrow.parquet as pq

                pq.write_table(table, tmp, compression="zstd")
            else:
                from pyarrow import csv

                delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
                csv.write_csv(table, tmp, csv.WriteOptions(delimiter=delimiter))
    except WorkspaceError as exc:  # the user chose the path: an input error
        raise InputError(exc.message) from exc
