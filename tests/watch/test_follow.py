"""``labwarden watch``: files are ingested as they arrive or grow, and alerts are printed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from labwarden.core.workspace import Workspace
from labwarden.watch.follow import Follower
from labwarden.watch.service import compile_rules
from tests.conftest import corpora_path


def invictus(count: int) -> list[Path]:
    folder = corpora_path("logs", "cloudtrail-invictus")
    return sorted(folder.glob("*.json"))[:count]


def test_new_and_grown_files_are_ingested_once(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    follower = Follower(Workspace(tmp_path / "ws"), logs, None, None)
    assert follower.cycle().files == []
    for path in invictus(3):
        shutil.copy(path, logs / path.name)
    first = follower.cycle()
    assert len(first.files) == 3 and first.events > 0
    assert follower.cycle().files == []
    records = json.loads(invictus(4)[-1].read_text())["Records"]
    grower = logs / "export.ndjson"
    grower.write_text("".join(json.dumps(r) + "\n" for r in records[:5]))
    assert follower.cycle().events == 5
    with grower.open("a") as handle:
        handle.write("".join(json.dumps(r) + "\n" for r in records[5:]))
    assert follower.cycle().events == len(records) - 5


def test_watch_prints_alerts_as_they_arrive(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    for path in invictus(55):
        shutil.copy(path, logs / path.name)
    rules = corpora_path("sigma", "cloud", "aws", "cloudtrail")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "labwarden",
            "-w",
            str(tmp_path / "ws"),
            "watch",
            str(logs),
            "--cycles",
            "2",
            "--interval",
            "0.1",
            "--rules",
            str(rules),
            "--no-analytics",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    alerts = [line for line in done.stdout.splitlines() if line.startswith("ALERT ")]
    assert alerts, done.stderr
    assert all("risk=" in line and "principal=" in line for line in alerts)
    assert f"{len(list(logs.iterdir()))} new or changed files" in done.stderr


def test_watch_needs_a_folder(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "labwarden",
            "-w",
            str(tmp_path / "ws"),
            "watch",
            str(tmp_path / "missing"),
            "--cycles",
            "1",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "missing: not a folder" in done.stderr


def test_compiled_pack_is_reusable_between_cycles(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    follower = Follower(Workspace(tmp_path / "ws"), logs, compile_rules([]), None)
    for path in invictus(2):
        shutil.copy(path, logs / path.name)
    assert follower.cycle().events > 0
    shutil.copy(invictus(3)[-1], logs / "third.json")
    assert follower.cycle().files == [logs / "third.json"]
