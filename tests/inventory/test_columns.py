"""Column names read from headers and footers, never by loading the table."""

from __future__ import annotations

import io
import struct

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.inventory.columns import read_columns


def columns(fmt: str, data: bytes) -> list[str] | None:
    return read_columns(fmt, io.BytesIO(data), len(data))


def xpt(names: list[str]) -> bytes:
    """A SAS transport v5 header with NAMESTR records for ``names`` (what columns.py reads)."""
    head = b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!000000000000000000000000000000  "
    head += b" " * 160
    marker = (
        b"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!000000" + f"{len(names):04d}".encode()
    )
    marker = marker.ljust(80, b"0")
    records = b""
    for i, name in enumerate(names):
        records += struct.pack(">hhhh8s", 1, 0, 8, i + 1, name.encode().ljust(8)) + b"\x00" * 124
    return head + marker + records


def test_csv_header_with_bom_and_quotes() -> None:
    data = '\ufeffUSUBJID,"AGE",SEX\n1,34,F\n'.encode()
    assert columns("csv", data) == ["USUBJID", "AGE", "SEX"]


def test_csv_delimiter_is_sniffed() -> None:
    assert columns("csv", b"a;b;c\n1;2;3\n") == ["a", "b", "c"]
    assert columns("tsv", b"gene\tS001\tS002\n") == ["gene", "S001", "S002"]


def test_jsonl_first_object_keys() -> None:
    assert columns("jsonl", b'\n{"user": "a", "bytes": 1}\n{"x": 2}\n') == ["user", "bytes"]
    assert columns("jsonl", b"[1, 2]\n") is None


def test_parquet_schema_from_the_footer() -> None:
    sink = io.BytesIO()
    pq.write_table(pa.table({"USUBJID": ["a"], "AGE": [3]}), sink)
    assert columns("parquet", sink.getvalue()) == ["USUBJID", "AGE"]


def test_arrow_stream_and_file() -> None:
    table = pa.table({"ligand": ["x"], "kd": [1.0]})
    for writer in (pa.ipc.new_stream, pa.ipc.new_file):
        sink = io.BytesIO()
        with writer(sink, table.schema) as w:
            w.write_table(table)
        assert columns("arrow", sink.getvalue()) == ["ligand", "kd"]


def test_sas_transport_variable_names() -> None:
    assert columns("sas-xpt", xpt(["STUDYID", "USUBJID", "AGE"])) == ["STUDYID", "USUBJID", "AGE"]


def test_unreadable_tables_have_no_columns() -> None:
    assert columns("parquet", b"PAR1 broken") is None
    assert columns("csv", b"") is None
    assert columns("pickle", b"\x80\x04.") is None


@settings(max_examples=200, deadline=None)
@given(
    fmt=st.sampled_from(["csv", "tsv", "jsonl", "parquet", "arrow", "sas-xpt"]),
    data=st.binary(max_size=1024),
)
def test_column_readers_never_raise(fmt: str, data: bytes) -> None:
    found = columns(fmt, data)
    assert found is None or all(isinstance(c, str) for c in found)
