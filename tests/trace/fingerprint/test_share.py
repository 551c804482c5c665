"""Marked copies: few cells changed, within the bound, the same copy for the same recipient."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from labwarden.core.errors import InputError
from labwarden.core.workspace import Workspace
from labwarden.privacy.io import read_table, write_table
from labwarden.store.catalog import Catalog
from labwarden.trace.fingerprint.share import ShareOptions, share
from labwarden.trace.service import trace_path
from tests.trace.fingerprint.helpers import clinical


def _diff(a: Path, b: Path) -> tuple[int, int]:
    left, right = read_table(a), read_table(b)
    changed = 0
    for name in left.column_names:
        x = left.column(name).to_pylist()
        y = right.column(name).to_pylist()[: len(x)]
        changed += sum(1 for u, v in zip(x, y, strict=True) if u != v)
    return changed, right.num_rows - left.num_rows


def test_copy_changes_few_cells_within_bounds(tmp_path: Path, workspace: Workspace) -> None:
    source = clinical(tmp_path / "trial.csv")
    with Catalog.open(workspace) as catalog:
        first = share(
            workspace, catalog, source, "alice", tmp_path / "a.csv", ShareOptions(canary_rows=0)
        )
        again = share(
            workspace, catalog, source, "alice", tmp_path / "a2.csv", ShareOptions(canary_rows=0)
        )
        other = share(workspace, catalog, source, "bob", tmp_path / "b.csv")
        recorded = catalog.shares.find()
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "a2.csv").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() != (tmp_path / "b.csv").read_bytes()
    changed, added = _diff(source, tmp_path / "a.csv")
    assert changed == first.cells_altered == again.cells_altered and added == 0
    assert 0.03 * 4000 < changed < 0.07 * 4000
    ids = read_table(tmp_path / "a.csv").column("subject_id").to_pylist()
    assert ids == read_table(source).column("subject_id").to_pylist()  # identifiers never move
    assert first.cells_fraction < 0.01
    assert first.largest_relative_change <= 0.05
    assert other.canary_rows == 3 and read_table(tmp_path / "b.csv").num_rows == 4003
    assert [s.recipient for s in recorded] == ["alice", "bob"]
    assert recorded[0].output == str(tmp_path / "a2.csv")
    assert recorded[0].key_id == recorded[1].key_id and len(recorded[0].key_id) == 16


def test_parquet_copy_keeps_numbers(tmp_path: Path, workspace: Workspace) -> None:
    source = clinical(tmp_path / "trial.csv", rows=500)
    with Catalog.open(workspace) as catalog:
        share(workspace, catalog, source, "carol", tmp_path / "c.parquet")
    schema = pq.read_schema(tmp_path / "c.parquet")
    assert str(schema.field("age").type) == "int64"
    assert str(schema.field("weight").type) == "double"
    assert str(schema.field("site").type) == "string"


def test_refusals(tmp_path: Path, workspace: Workspace) -> None:
    source = clinical(tmp_path / "trial.csv", rows=300)
    with Catalog.open(workspace) as catalog:
        with pytest.raises(InputError, match="more than --max-cells"):
            share(
                workspace,
                catalog,
                source,
                "a",
                tmp_path / "x.csv",
                ShareOptions(rate=0.2, max_cells=0.01),
            )
        with pytest.raises(InputError, match="overwrite the original"):
            share(workspace, catalog, source, "a", source)
        with pytest.raises(InputError, match="--rate"):
            share(workspace, catalog, source, "a", tmp_path / "y.csv", ShareOptions(rate=0))
        with pytest.raises(InputError, match="no such file"):
            share(workspace, catalog, tmp_path / "none.csv", "a", tmp_path / "z.csv")
        assert catalog.shares.find() == []
    assert not (tmp_path / "x.csv").exists()


def test_default_rate_is_lowered_to_fit_the_cell_bound(
    tmp_path: Path, workspace: Workspace
) -> None:
    source = tmp_path / "narrow.csv"
    lines = ["site,age,dx"] + [f"S{i % 7},{20 + i % 60},D{i % 13}" for i in range(3000)]
    source.write_text("\n".join(lines) + "\n")
    with Catalog.open(workspace) as catalog:
        result = share(workspace, catalog, source, "a", tmp_path / "a.csv", ShareOptions())
        assert 0 < result.cells_fraction <= 0.01
        assert 0.01 < catalog.shares.find()[0].detail["rate"] < 0.05
        with pytest.raises(InputError, match="more than --max-cells"):
            share(workspace, catalog, source, "b", tmp_path / "b.csv", ShareOptions(rate=0.05))


def test_a_leak_of_a_shared_version_is_traced_after_the_table_changed(
    tmp_path: Path, workspace: Workspace
) -> None:
    source = clinical(tmp_path / "trial.csv", rows=3000)
    with Catalog.open(workspace) as catalog:
        for name in ("a", "b", "c"):
            share(workspace, catalog, source, name, tmp_path / f"{name}.csv")
    leaked = tmp_path / "leak.csv"
    leaked.write_text("".join((tmp_path / "b.csv").read_text().splitlines(True)[:800]))
    table = read_table(source)
    write_table(table.slice(1000), source)  # the lab's table moves on: v2 drops 1,000 rows
    with Catalog.open(workspace) as catalog:
        report = trace_path(workspace, catalog, leaked)
    assert report.verdict == "attributed" and report.recipients == ["b"]
    assert any("shared version kept in the workspace" in n for n in report.notes)
    source.unlink()
    with Catalog.open(workspace) as catalog:
        assert trace_path(workspace, catalog, leaked).recipients == ["b"]
