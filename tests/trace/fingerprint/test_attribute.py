"""Attribution of leaks: the right recipient under sampling, dropped and shuffled columns,
rounding, ranges and format changes; "unknown" when no copy's marks are above chance; both
recipients when copies are mixed."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from labwarden.core.workspace import Workspace
from labwarden.privacy.io import read_table, write_table
from labwarden.store.catalog import Catalog
from labwarden.trace.fingerprint.share import share
from labwarden.trace.service import TraceReport, trace_path
from tests.trace.fingerprint.helpers import clinical, leak

RECIPIENTS = ("alice", "bob", "carol", "dave", "erin", "frank")


@pytest.fixture
def shared(tmp_path: Path, workspace: Workspace) -> Path:
    source = clinical(tmp_path / "trial.csv")
    with Catalog.open(workspace) as catalog:
        for name in RECIPIENTS:
            share(workspace, catalog, source, name, tmp_path / f"{name}.csv")
    return tmp_path


def _trace(workspace: Workspace, path: Path) -> TraceReport:
    with Catalog.open(workspace) as catalog:
        return trace_path(workspace, catalog, path)


def _decade(value: object) -> str:
    low = int(str(value)) // 10 * 10
    return f"{low}-{low + 9}"


@pytest.mark.parametrize(
    ("fraction", "drop", "transform", "suffix"),
    [
        (1.0, (), None, ".csv"),
        (0.1, (), None, ".parquet"),
        (0.25, ("subject_id", "weight"), None, ".csv"),
        (0.25, ("subject_id",), {"age": lambda v: str(round(int(str(v)) / 5) * 5)}, ".csv"),
        (0.25, ("subject_id",), {"weight": lambda v: str(round(float(str(v))))}, ".tsv"),
        (0.25, ("subject_id",), {"age": _decade}, ".csv"),
    ],
)
def test_right_recipient(
    shared: Path,
    workspace: Workspace,
    fraction: float,
    drop: tuple[str, ...],
    transform: dict[str, object] | None,
    suffix: str,
) -> None:
    leaked = leak(
        shared / "carol.csv",
        shared / f"leak{suffix}",
        fraction=fraction,
        drop=drop,
        transform=transform,
    )
    report = _trace(workspace, leaked)
    assert report.verdict == "attributed", report.summary()
    assert report.recipients == ["carol"]
    best = report.candidates[0]
    assert best["source"] == str(shared / "trial.csv")
    assert best["fraction_of_leak"] > 0.99
    first, second = best["attribution"]["candidates"][:2]
    assert first["recipient"] == "carol" and first["false_match_probability"] < 1e-6
    assert second["false_match_probability"] > 1e-3
    if transform:
        described = {c["original"]: c["transformation"] for c in best["columns"]}
        assert any(t != "as is" for t in described.values()), described


def test_the_original_itself_names_nobody(shared: Path, workspace: Workspace) -> None:
    report = _trace(workspace, leak(shared / "trial.csv", shared / "leak.csv", fraction=0.5))
    assert report.verdict == "matched" and report.recipients == []
    assert report.candidates[0]["attribution"]["verdict"] == "unknown"
    assert report.candidates[0]["rows_exact"] == 2000


def test_mixed_copies_name_both(shared: Path, workspace: Workspace) -> None:
    a = read_table(leak(shared / "alice.csv", shared / "a.csv", fraction=0.3, seed=2))
    b = read_table(leak(shared / "erin.csv", shared / "b.csv", fraction=0.3, seed=3))
    mixed = shared / "mixed.csv"
    write_table(pa.concat_tables([a, b.select(a.column_names)]), mixed)
    report = _trace(workspace, mixed)
    assert report.verdict == "collusion", report.summary()
    assert sorted(report.recipients) == ["alice", "erin"]


def test_unrelated_table_matches_nothing(
    tmp_path: Path, shared: Path, workspace: Workspace
) -> None:
    other = clinical(tmp_path / "other.csv", rows=300, seed=99)
    report = _trace(workspace, other)
    assert report.verdict in ("no match", "matched")
    for candidate in report.candidates:
        assert candidate["attribution"] is None or candidate["attribution"]["verdict"] == "unknown"
