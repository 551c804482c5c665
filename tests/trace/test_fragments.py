"""Attribution of leaks as they reach a leak site: a headerless fragment cut mid-line,
gzip-compressed inside a zip; JSON lines in a folder; the copy named in each."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest

from labwarden.core.workspace import Workspace
from labwarden.privacy.io import read_table
from labwarden.store.catalog import Catalog
from labwarden.trace.fingerprint.share import share
from labwarden.trace.service import TraceReport, trace_path
from tests.trace.fingerprint.helpers import clinical

RECIPIENTS = ("alice", "bob", "carol")


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


def test_headerless_gzip_fragment_in_a_zip(shared: Path, workspace: Workspace) -> None:
    data = (shared / "bob.csv").read_bytes()
    fragment = data[len(data) // 3 : len(data) // 3 + len(data) // 3 + 17]  # cut mid-line
    archive = shared / "loot.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("dump/part-2.csv.gz", gzip.compress(fragment))
        out.writestr("dump/readme.txt", "proof of access, more on request\n")
    report = _trace(workspace, archive)
    assert report.kind == "archive"
    best = report.candidates[0]
    assert best["kind"] == "table" and best["leaked"] == f"{archive}!dump/part-2.csv.gz"
    assert best["source"] == str(shared / "trial.csv")
    assert best["fraction_of_leak"] > 0.95
    assert best["attribution"]["recipient"] == "bob"
    assert any("no header line" in n for n in report.notes)


def test_json_lines_in_a_folder_and_an_unrelated_table(shared: Path, workspace: Workspace) -> None:
    table = read_table(shared / "carol.csv").slice(500, 1500)
    folder = shared / "site-dump"
    folder.mkdir()
    lines = [json.dumps(row) for row in table.drop_columns(["subject_id"]).to_pylist()]
    (folder / "records.jsonl").write_text("\n".join(lines)[:-40], encoding="utf-8")
    (folder / "other.csv").write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    report = _trace(workspace, folder)
    best = report.candidates[0]
    assert best["leaked"] == str(folder / "records.jsonl")
    assert best["attribution"]["recipient"] == "carol"
    assert all(c.get("leaked") != str(folder / "other.csv") for c in report.candidates)


def test_truncated_parquet_is_a_note_not_a_failure(shared: Path, workspace: Workspace) -> None:
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(read_table(shared / "alice.csv"), sink)
    cut = shared / "cut.parquet"
    cut.write_bytes(sink.getvalue()[:-100])
    report = _trace(workspace, cut)
    assert report.verdict == "no match"
    assert any("footer is lost" in n for n in report.notes)


def test_tables_holding_every_column_are_compared_first(
    tmp_path: Path, workspace: Workspace
) -> None:
    from typer.testing import CliRunner

    from labwarden.cli.app import app

    data = tmp_path / "data"
    data.mkdir()
    source = clinical(data / "trial.csv", rows=1500)
    for index in range(3):
        lines = ["site,score"] + [f"BER,{index * 100 + i}" for i in range(50)]
        (data / f"other{index}.csv").write_text("\n".join(lines) + "\n")
    done = CliRunner().invoke(app, ["--workspace", str(workspace.root), "scan", str(data)])
    assert done.exit_code in (0, 1), done.output
    leaked = tmp_path / "leak.csv"
    leaked.write_text("".join(source.read_text().splitlines(True)[:300]))
    report = _trace(workspace, leaked)
    assert [c["source"] for c in report.candidates] == [str(source)]
    assert any("3 catalog table(s) sharing only some column names" in n for n in report.notes)
