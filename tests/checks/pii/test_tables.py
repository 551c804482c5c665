"""The table sampler reads bounded samples and turns malformed input into InputError."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.checks.pii.tables import sample_table
from labwarden.core.errors import InputError


def test_parquet_sample_is_bounded_and_keeps_metadata() -> None:
    table = pa.table({"id": list(range(20_000)), "name": ["Maria Jensen"] * 20_000})
    table = table.replace_schema_metadata({"labwarden": "pseudonymized export"})
    sink = io.BytesIO()
    pq.write_table(table, sink, row_group_size=1000)
    sample = sample_table("parquet", io.BytesIO(sink.getvalue()), max_rows=2500)
    assert sample.rows == 2500
    assert len(sample.columns["name"]) == 2500
    assert sample.columns["id"][:2] == ["0", "1"]
    assert sample.metadata == {"labwarden": "pseudonymized export"}


def test_csv_and_jsonl() -> None:
    csv = b'a,b\n1,"x, y"\n2,\n'
    sample = sample_table("csv", io.BytesIO(csv))
    assert sample.columns == {"a": ["1", "2"], "b": ["x, y", None]}
    jsonl = b'{"a": 1, "b": "x"}\n\n{"a": 2, "c": [1]}\n'
    sample = sample_table("jsonl", io.BytesIO(jsonl))
    assert sample.columns == {"a": ["1", "2"], "b": ["x", None], "c": [None, None]}


def test_unknown_format_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no table reader"):
        sample_table("sas7bdat", io.BytesIO(b""))
    with pytest.raises(InputError, match=r"legacy \.xls"):
        sample_table("excel", io.BytesIO(b"\xd0\xcf\x11\xe0 an OLE2 .xls"))


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["csv", "tsv", "jsonl", "parquet", "arrow"]))
def test_any_bytes_give_a_sample_or_an_input_error(data: bytes, fmt: str) -> None:
    try:
        sample = sample_table(fmt, io.BytesIO(data))
    except InputError:
        return
    assert all(len(v) == sample.rows for v in sample.columns.values())
