"""The CLI end to end, as a user runs it: a real process, real files, real exit codes."""

from __future__ import annotations

import json
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
    assert scan.returncode == 0, scan.stderr
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
    result = run("-w", str(tmp_path / "ws"), "assets", "show", "999")
    assert result.returncode == 2
    assert "no asset '999'" in result.stderr
