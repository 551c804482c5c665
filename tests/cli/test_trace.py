"""``labwarden share`` and ``labwarden trace`` through the CLI, as the README shows them."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from labwarden.cli.app import app
from labwarden.core.errors import InputError
from tests.trace.fingerprint.helpers import clinical, leak


def test_share_then_trace(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = ["--workspace", str(tmp_path / ".labwarden")]
    source = clinical(tmp_path / "trial.csv", rows=2000)
    for name in ("lab-a", "lab-b"):
        done = runner.invoke(
            app,
            [
                *ws,
                "share",
                str(source),
                "--recipient",
                name,
                "--output",
                str(tmp_path / f"{name}.parquet"),
                "-f",
                "json",
            ],
        )
        assert done.exit_code == 0, done.output
        assert json.loads(done.stdout)["recipient"] == name
    sample = leak(
        tmp_path / "lab-b.parquet", tmp_path / "forum-dump.csv", fraction=0.3, drop=("subject_id",)
    )
    traced = runner.invoke(app, [*ws, "trace", str(sample), "-f", "json"])
    assert traced.exit_code == 0, traced.output
    report = json.loads(traced.stdout)
    assert report["verdict"] == "attributed" and report["recipients"] == ["lab-b"]
    assert report["candidates"][0]["kind"] == "table" and report["incidents"] == []
    table = runner.invoke(app, [*ws, "trace", str(sample)])
    assert "lab-b" in table.stdout
    # Once everything is scanned into the catalog, the leak and the copies are not sources.
    runner.invoke(app, [*ws, "scan", str(tmp_path)])
    again = json.loads(runner.invoke(app, [*ws, "trace", str(sample), "-f", "json"]).stdout)
    assert again["recipients"] == ["lab-b"]
    assert {c["source"] for c in again["candidates"]} == {str(source)}
    assert again["candidates"][0]["asset_id"] is not None
    bad = runner.invoke(app, [*ws, "share", str(tmp_path / "nope.csv"), "-r", "x", "-o", "y.csv"])
    assert isinstance(bad.exception, InputError)


def test_files_folders_and_archives_by_digest(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = ["--workspace", str(tmp_path / ".labwarden")]
    model = tmp_path / "models" / "protein-lm"
    model.mkdir(parents=True)
    (model / "config.json").write_text('{"model_type": "llama"}\n')
    (model / "weights.bin").write_bytes(bytes(range(256)) * 64)
    scanned = runner.invoke(app, [*ws, "scan", str(tmp_path / "models")])
    assert scanned.exit_code in (0, 1), scanned.output
    loot = tmp_path / "loot"
    loot.mkdir()
    shutil.copy(model / "weights.bin", loot / "w.bin")
    (loot / "other.txt").write_text("nothing of ours\n")
    with zipfile.ZipFile(tmp_path / "loot.zip", "w") as archive:
        archive.write(model / "config.json", "x/config.json")
    for target, expected in ((loot, 1), (tmp_path / "loot.zip", 1), (loot / "w.bin", 1)):
        traced = runner.invoke(app, [*ws, "trace", str(target), "-f", "json"])
        assert traced.exit_code == 0, traced.output
        report = json.loads(traced.stdout)
        assert report["verdict"] == "matched", report
        (best,) = report["candidates"]
        assert best["files_matched"] == expected and best["asset"] == "protein-lm"
    nothing = runner.invoke(app, [*ws, "trace", str(loot / "other.txt"), "-f", "json"])
    assert json.loads(nothing.stdout)["verdict"] == "no match"
