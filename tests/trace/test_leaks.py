"""Reading leaked tables: fragments cut at any byte, without a header, gzip, JSON lines."""

from __future__ import annotations

import gzip
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labwarden.core.errors import InputError
from labwarden.trace.leaks import is_table_name, looks_like_data, read_leak

CSV = "subject_id,site,age,weight\n" + "".join(
    f"S{n:05d},BER,{20 + n % 50},{60 + n % 30}.5\n" for n in range(200)
)


def test_plain_csv_keeps_text() -> None:
    leaked = read_leak(CSV.encode(), "x.csv")
    assert leaked.table.column_names == ["subject_id", "site", "age", "weight"]
    assert leaked.table.num_rows == 200 and not leaked.headerless
    assert leaked.table.column("weight")[0].as_py() == "60.5"


def test_fragment_cut_at_both_ends_loses_only_the_cut_lines() -> None:
    data = CSV.encode()
    fragment = data[1000:5003]  # starts and ends inside a line
    leaked = read_leak(fragment, "paste.txt")
    assert leaked.headerless
    lines = fragment.count(b"\n") + 1
    assert lines - 2 <= leaked.table.num_rows + leaked.skipped_rows <= lines
    rows = set(zip(*(leaked.table.column(i).to_pylist() for i in range(4)), strict=True))
    original = {tuple(line.split(",")) for line in CSV.splitlines()[1:]}
    assert len(rows - original) <= 2  # a row cut inside its last cell can still look whole


def test_gzip_cut_short_gives_what_it_holds() -> None:
    packed = gzip.compress(CSV.encode())
    leaked = read_leak(packed[: len(packed) * 2 // 3], "dump.csv.gz")
    assert 0 < leaked.table.num_rows < 200
    assert any("cut short" in n for n in leaked.notes)


def test_tsv_semicolon_and_json_lines() -> None:
    tsv = CSV.replace(",", "\t")
    assert read_leak(tsv.encode(), "a.tsv").format == "tsv"
    semi = read_leak(CSV.replace(",", ";").encode(), "a.csv")
    assert semi.table.num_rows == 200 and semi.table.num_columns == 4
    lines = [json.dumps({"subject_id": f"S{n}", "age": n, "ok": True}) for n in range(10)]
    text = "\n".join(lines)
    leaked = read_leak(text[:-5].encode(), "a.jsonl")
    assert leaked.table.num_rows == 9 and leaked.skipped_rows == 1
    assert leaked.table.column("ok")[0].as_py() == "true"
    array = read_leak(json.dumps([json.loads(x) for x in lines]).encode(), "a.json")
    assert array.table.num_rows == 10
    cut = read_leak(json.dumps([json.loads(x) for x in lines])[:-30].encode(), "a.json")
    assert 7 <= cut.table.num_rows < 10


def test_parquet_by_content_and_cut_parquet_is_a_clear_error() -> None:
    sink = io.BytesIO()
    pq.write_table(pa.table({"age": [1.0, 2.5], "site": ["A", None]}), sink)
    data = sink.getvalue()
    leaked = read_leak(data, "renamed.bin")
    assert leaked.table.column("age").to_pylist() == ["1", "2.5"]
    with pytest.raises(InputError, match="footer is lost"):
        read_leak(data[:-20], "cut.parquet")


def test_header_guess() -> None:
    assert not looks_like_data(["subject_id", "site", "age"])
    assert looks_like_data(["S001", "BER", "41"])
    assert looks_like_data(["ana@lab.example", "x", "y"])
    assert is_table_name("a.CSV.gz") and is_table_name("b.jsonl") and not is_table_name("m.bin")


@given(st.binary(max_size=2048))
def test_any_bytes_read_or_a_clear_error(data: bytes) -> None:
    try:
        leaked = read_leak(data, "fuzz.csv")
    except InputError as exc:
        assert "fuzz.csv" in exc.message
        return
    assert leaked.table.num_columns >= 1
