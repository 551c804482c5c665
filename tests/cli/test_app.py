"""The CLI end to end, as a user runs it: a real process, real files, real exit codes."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from labwarden import __version__


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "labwarden", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"labwarden {__version__}"


def test_scan_then_list_and_show(tmp_path: Path) -> None:
    lab = tmp_path / "lab"
    (lab / "models" / "bert").mkdir(parents=True)
    (lab / "models" / "bert" / "config.json").write_text('{"model_type": "bert"}')
    (lab / "models" / "bert" / "model.safetensors").write_bytes(
        (8).to_bytes(8, "little") + b'{"a":{}}'
    )
    ws = tmp_path / "ws"
    scan = run("-w", str(ws), "scan", str(lab), "--format", "json")
    assert scan.returncode == 1, scan.stderr  # the made-up safetensors header is a high finding
    assert json.loads(scan.stdout)["stats"]["files_new"] == 2
    listed = run("-w", str(ws), "assets", "--format", "json")
    assets = json.loads(listed.stdout)
    assert [(a["kind"], a["name"], a["file_count"]) for a in assets] == [("model", "bert", 2)]
    shown = run("-w", str(ws), "assets", "show", str(assets[0]["id"]), "--format", "json")
    detail = json.loads(shown.stdout)
    assert detail["sensitivity"] == "confidential"
    assert {f["path"] for f in detail["files"]} == {"config.json", "model.safetensors"}


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run("-w", str(tmp_path / "ws"), "scan", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "nope: no such file or folder" in result.stderr


def test_unknown_asset_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert run("-w", str(tmp_path / "ws"), "scan", str(tmp_path / "empty")).returncode == 0
    result = run("-w", str(tmp_path / "ws"), "assets", "show", "999")
    assert result.returncode == 2
    assert "no asset '999'" in result.stderr


def test_demo_then_assets_filters_csv_and_bom(tmp_path: Path) -> None:
    lab = tmp_path / "lab"
    demo = run("demo", str(lab))
    assert demo.returncode == 0, demo.stderr
    assert "Look at these first" in demo.stdout
    assert "subjects_pseudonymized.parquet" in demo.stdout
    # the "Try next" lines run as shown, whether or not labwarden is on PATH
    tries = demo.stdout.split("Try next:", 1)[1].splitlines()[1:]
    shown = next(line for line in tries if " assets --sensitivity restricted" in line)
    again = subprocess.run(
        shlex.split(shown),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": "/usr/bin:/bin"},
    )
    assert again.returncode == 0, again.stderr
    assert "dm.csv" in again.stdout
    ws = str(lab / ".labwarden")
    restricted = run("-w", ws, "assets", "--sensitivity", "restricted", "--format", "json")
    names = {a["name"] for a in json.loads(restricted.stdout)}
    assert {"dm.csv", ".env", "id_ed25519"} <= names
    models = run("-w", ws, "assets", "--kind", "model", "--format", "csv")
    lines = models.stdout.splitlines()
    assert lines[0] == "id,kind,sensitivity,name,files,size,formats,uri"
    assert all(",model," in line for line in lines[1:])
    table = run("-w", ws, "assets", "show", "protein-lm-v3")
    assert table.returncode == 0
    assert "model weights are confidential" in table.stdout
    bom = tmp_path / "bom.json"
    result = run("-w", ws, "bom", "--kind", "model", "--output", str(bom))
    assert result.returncode == 0
    document = json.loads(bom.read_text())
    assert {c["type"] for c in document["components"]} == {"machine-learning-model"}


def test_bad_policy_is_exit_2_naming_the_file(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[[rules]]\nid = 1\n")
    (tmp_path / "lab").mkdir()
    result = run("-w", str(tmp_path / "ws"), "scan", str(tmp_path / "lab"), "--policy", str(policy))
    assert result.returncode == 2
    assert str(policy) in result.stderr


def test_scan_reports_skipped_entries(tmp_path: Path) -> None:
    lab = tmp_path / "lab"
    lab.mkdir()
    (lab / "dangling").symlink_to(lab / "gone")
    (lab / "ok.csv").write_text("a\n1\n")
    result = run("-w", str(tmp_path / "ws"), "scan", str(lab), "--format", "json")
    document = json.loads(result.stdout)
    assert document["notes"] == [
        {"path": str(lab / "dangling"), "action": "skipped", "reason": "broken symbolic link"}
    ]
    assert "1 entries skipped" in result.stderr


def test_bad_option_values_are_usage_errors(tmp_path: Path) -> None:
    result = run("-w", str(tmp_path), "scan", str(tmp_path), "--digest", "md5")
    assert result.returncode == 2
    result = run("-w", str(tmp_path), "assets", "--kind", "weights")
    assert result.returncode == 2
