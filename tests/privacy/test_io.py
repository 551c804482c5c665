from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.core.errors import InputError
from labwarden.privacy.io import read_columns, read_table, write_table
from tests.privacy.xpt_writer import write_xpt


def test_csv_keeps_leading_zeros_and_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("zip;age\n01234;34\n99999;\n", encoding="utf-8")
    table = read_table(path)
    assert table.column("zip").to_pylist() == ["01234", "99999"]
    assert table.column("age").to_pylist() == ["34", ""]


def test_tsv_and_column_subset(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("a\tb\tc\n1\t2\t3\n", encoding="utf-8")
    assert read_columns(path) == ["a", "b", "c"]
    assert read_table(path, columns=["c", "a"]).column_names == ["c", "a"]


def test_unknown_column_names_file_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"t\.csv: unknown column AGE \(the file has: a, b\)"):
        read_table(path, columns=["AGE"])


def test_malformed_csv_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2,3,4\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.csv: malformed CSV"):
        read_table(path)


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"x")
    with pytest.raises(InputError, match="unsupported table format"):
        read_table(path)


def test_parquet_numbers_become_text(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"age": [34.0, 35.5, None], "n": [1, 2, 3]}), path)
    table = read_table(path)
    assert table.column("age").to_pylist() == ["34", "35.5", None]
    assert table.column("n").to_pylist() == ["1", "2", "3"]


def test_xpt_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "dm.xpt"
    write_xpt(
        path, {"USUBJID": ["S-1", "S-22", "S-3"], "AGE": [34, 70.25, None], "SEX": ["M", "F", "F"]}
    )
    assert read_columns(path) == ["USUBJID", "AGE", "SEX"]
    table = read_table(path)
    assert table.column("USUBJID").to_pylist() == ["S-1", "S-22", "S-3"]
    assert table.column("AGE").to_pylist() == ["34", "70.25", None]
    assert read_table(path, columns=["SEX"]).column("SEX").to_pylist() == ["M", "F", "F"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).filter(
            lambda v: v == 0 or abs(v) > 1e-30
        ),
        min_size=1,
        max_size=20,
    )
)
def test_xpt_numbers_survive(tmp_path_factory: pytest.TempPathFactory, values: list[float]) -> None:
    path = tmp_path_factory.mktemp("xpt") / "n.xpt"
    write_xpt(path, {"X": list(values)})
    from labwarden.privacy.xpt import read_xpt

    read = read_xpt(path).column("X").to_pylist()
    assert read == pytest.approx(values, rel=1e-14, abs=1e-300)


def test_not_an_xpt_file(tmp_path: Path) -> None:
    path = tmp_path / "x.xpt"
    path.write_bytes(b"hello" * 100)
    with pytest.raises(InputError, match=r"x\.xpt: not a SAS transport"):
        read_table(path)


def test_write_csv_and_parquet(tmp_path: Path) -> None:
    table = pa.table({"a": ["1", "2"]})
    write_table(table, tmp_path / "o.csv")
    write_table(table, tmp_path / "o.parquet")
    assert read_table(tmp_path / "o.csv").column("a").to_pylist() == ["1", "2"]
    assert read_table(tmp_path / "o.parquet").column("a").to_pylist() == ["1", "2"]
