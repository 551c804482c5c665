"""Tables read from open binary files (objects in a store) match tables read from paths, and
untrusted bytes are an error naming the object, never a crash."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labwarden.core.errors import InputError
from labwarden.privacy.io import read_table, read_table_from
from tests.privacy.xpt_writer import write_xpt

ROWS = {"USUBJID": ["S1", "S2", "S3"], "AGE": ["40", "51", "62"], "SEX": ["F", "M", "F"]}


def _files(tmp_path: Path) -> list[Path]:
    csv = tmp_path / "dm.csv"
    lines = [";".join(row) for row in zip(*ROWS.values(), strict=True)]
    csv.write_text("USUBJID;AGE;SEX\n" + "".join(f"{line}\n" for line in lines))
    parquet = tmp_path / "dm.parquet"
    pq.write_table(pa.table(ROWS), parquet)
    xpt = tmp_path / "dm.xpt"
    write_xpt(xpt, {"USUBJID": list(ROWS["USUBJID"]), "AGE": [40.0, 51.0, 62.0]})
    return [csv, parquet, xpt]


@pytest.mark.parametrize("columns", [None, ["USUBJID", "AGE"]])
def test_streams_read_as_paths_do(tmp_path: Path, columns: list[str] | None) -> None:
    for path in _files(tmp_path):
        wanted = columns
        with path.open("rb") as handle:
            streamed = read_table_from(handle, f"s3://lab/{path.name}", wanted)
        assert streamed.equals(read_table(path, columns=wanted)), path.name


def test_unknown_columns_and_formats_name_the_object(tmp_path: Path) -> None:
    for path in _files(tmp_path):
        with path.open("rb") as handle, pytest.raises(InputError, match=r"s3://lab/dm\..*NOPE"):
            read_table_from(handle, f"s3://lab/{path.name}", ["NOPE"])
    with pytest.raises(InputError, match=r"s3://lab/x\.bin: unsupported table format"):
        read_table_from(io.BytesIO(b"x"), "s3://lab/x.bin")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2048), suffix=st.sampled_from(["csv", "tsv", "parquet", "xpt"]))
def test_arbitrary_bytes_are_a_table_or_an_input_error(data: bytes, suffix: str) -> None:
    name = f"s3://lab/t.{suffix}"
    try:
        table = read_table_from(io.BytesIO(data), name)
    except InputError as exc:
        assert name in exc.message
    else:
        assert isinstance(table, pa.Table)
