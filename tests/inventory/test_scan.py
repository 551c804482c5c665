"""Scanning into the catalog: incremental rescans, history, digests, kills and big files."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import blake3

from labwarden.core.values import AssetKind, Sensitivity
from labwarden.core.workspace import Workspace
from labwarden.inventory.policy import load_policy
from labwarden.inventory.scan import ScanResult, run_scan
from labwarden.inventory.sources.local import LocalSource
from labwarden.store.catalog import Catalog


def scan(ws: Workspace, root: Path, algorithm: str = "blake3") -> ScanResult:
    policy = load_policy(None)
    with Catalog.open(ws) as catalog:
        return run_scan(
            catalog,
            LocalSource([str(root)], policy.exclude),
            policy,
            algorithm=algorithm,  # type: ignore[arg-type]
        )


def make_lab(root: Path) -> None:
    model = root / "models" / "bert"
    model.mkdir(parents=True)
    (model / "config.json").write_text('{"model_type": "bert"}')
    (model / "pytorch_model.bin").write_bytes(b"\x80\x02}q\x00.")
    (root / "trial").mkdir()
    (root / "trial" / "dm.csv").write_text("USUBJID,AGE,SEX,RACE\nS-1,44,F,ASIAN\n")
    (root / "empty.txt").write_bytes(b"")


def test_first_scan_then_unchanged_rescan_reads_nothing(
    workspace: Workspace, tmp_path: Path
) -> None:
    root = tmp_path / "lab"
    make_lab(root)
    first = scan(workspace, root)
    assert (first.files_new, first.files_unchanged) == (4, 0)
    assert first.asset_changes["added"] == 3
    second = scan(workspace, root)
    assert (second.files_new, second.files_changed, second.files_unchanged) == (0, 0, 4)
    assert second.bytes_read == 0
    assert not second.asset_changes
    with Catalog.open(workspace) as catalog:
        dm = catalog.assets.get("dm.csv")
        assert dm.sensitivity is Sensitivity.RESTRICTED
        assert [f.format for f in catalog.files.of_asset(catalog.assets.get("bert").id)] == [
            "json",
            "pickle",
        ]
        empty = catalog.files.of_asset(catalog.assets.get("empty.txt").id)[0]
        assert empty.format == "empty"
        assert empty.digest == blake3.blake3(b"").hexdigest()


def test_changes_are_recorded_in_the_asset_history(workspace: Workspace, tmp_path: Path) -> None:
    root = tmp_path / "lab"
    make_lab(root)
    scan(workspace, root)
    weights = root / "models" / "bert" / "pytorch_model.bin"
    weights.write_bytes(b"\x80\x02}q\x00(X\x01\x00\x00\x00ak\x01u.")
    (root / "models" / "bert" / "tokenizer.json").write_text("{}")
    (root / "empty.txt").unlink()
    result = scan(workspace, root)
    assert (result.files_new, result.files_changed, result.files_deleted) == (1, 1, 1)
    assert result.asset_changes == {"modified": 1, "removed": 1}
    with Catalog.open(workspace) as catalog:
        bert = catalog.assets.get("bert")
        history = catalog.assets.history(bert.id)
        assert [h.change for h in history] == ["added", "modified"]
        assert history[1].detail["files_added"] == ["tokenizer.json"]
        assert history[1].detail["files_modified"] == ["pytorch_model.bin"]
        assert [a.name for a in catalog.assets.find(include_removed=True) if a.removed_scan] == [
            "empty.txt"
        ]


def test_permission_change_updates_the_catalog_without_rehashing(
    workspace: Workspace, tmp_path: Path
) -> None:
    root = tmp_path / "lab"
    make_lab(root)
    scan(workspace, root)
    (root / "trial" / "dm.csv").chmod(0o666)
    result = scan(workspace, root)
    assert result.bytes_read == 0
    with Catalog.open(workspace) as catalog:
        record = catalog.files.of_asset(catalog.assets.get("dm.csv").id)[0]
        assert record.mode == 0o666


def test_sha256_on_request_and_rehash_when_algorithm_changes(
    workspace: Workspace, tmp_path: Path
) -> None:
    root = tmp_path / "lab"
    make_lab(root)
    scan(workspace, root)
    result = scan(workspace, root, "sha256")
    assert result.files_changed == 4
    with Catalog.open(workspace) as catalog:
        record = catalog.files.of_asset(catalog.assets.get("dm.csv").id)[0]
    expected = hashlib.sha256((root / "trial" / "dm.csv").read_bytes()).hexdigest()
    assert (record.digest_algorithm, record.digest) == ("sha256", expected)


def test_multi_gigabyte_sparse_file(workspace: Workspace, tmp_path: Path) -> None:
    big = tmp_path / "lab" / "model.safetensors"
    big.parent.mkdir()
    size = 3 * 1024**3
    with big.open("wb") as handle:
        handle.truncate(size)
    result = scan(workspace, tmp_path / "lab")
    assert result.files_new == 1
    with Catalog.open(workspace) as catalog:
        asset = catalog.assets.find()[0]
        record = catalog.files.of_asset(asset.id)[0]
    assert (asset.kind, record.size) == (AssetKind.MODEL, size)
    expected = blake3.blake3()
    zeros = bytes(64 * 1024**2)
    for _ in range(size // len(zeros)):
        expected.update(zeros)
    assert record.digest == expected.hexdigest()


def test_killed_scan_leaves_a_consistent_catalog_and_the_next_scan_completes(
    tmp_path: Path,
) -> None:
    root = tmp_path / "tree"
    for folder in range(60):
        sub = root / f"d{folder:02d}"
        sub.mkdir(parents=True)
        for index in range(100):
            (sub / f"f{index:03d}.py").write_bytes(os.urandom(64 * 1024))
    ws = tmp_path / "ws"
    process = subprocess.Popen(
        [sys.executable, "-m", "labwarden", "-w", str(ws), "scan", str(root), "--no-progress"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = ws / "catalog.db"
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and process.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as conn:
                    stored = conn.execute("SELECT count(*) FROM files").fetchone()[0]
            except sqlite3.OperationalError:
                stored = 0
            if stored >= 512:
                break
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 0 < stored < 6000, "the scan should be killed half-way"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT status FROM scans").fetchall() == [("running",)]
    result = scan(Workspace(ws), root)
    assert result.files_unchanged >= stored
    assert result.files_total == 6000
    with sqlite3.connect(db) as conn:
        statuses = [r[0] for r in conn.execute("SELECT status FROM scans ORDER BY id")]
        unassigned = conn.execute("SELECT count(*) FROM files WHERE asset_id IS NULL").fetchone()
    assert statuses == ["interrupted", "complete"]
    assert unassigned == (0,)


def test_checks_see_what_earlier_checks_proved(workspace: Workspace, tmp_path: Path) -> None:
    logs = tmp_path / "lab" / "logs"
    logs.mkdir(parents=True)
    line = '2026-10-12T14:00:00Z DEBUG payload patient_name="Maria Jensen" dob=1961-04-12\n'
    for name in ("api.log", "worker.log"):
        (logs / name).write_text(line * 3)
        (logs / name).chmod(0o640)
    policy = load_policy(None)
    from labwarden.checks.registry import all_checks

    with Catalog.open(workspace) as catalog:
        run_scan(catalog, LocalSource([str(tmp_path / "lab")]), policy, checks=all_checks())
        asset = catalog.assets.get("logs")
        rules = {f.rule for f in catalog.findings.find(asset_id=asset.id)}
    assert asset.sensitivity is Sensitivity.RESTRICTED
    assert any(r.rule.startswith("check:pii/") for r in asset.reasons)
    assert "restricted-group-readable" in rules


def test_a_scan_uses_the_secrets_baseline_of_its_own_workspace(tmp_path: Path) -> None:
    repo = tmp_path / "lab" / "repo"
    repo.mkdir(parents=True)
    (repo / "sync.py").write_text(
        'AWS_ACCESS_KEY_ID = "AKIAQ3EGRGXHM6LZ4NPW"\n'
        'AWS_SECRET_ACCESS_KEY = "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"\n'
    )
    ws = tmp_path / "elsewhere" / "ws"
    first = subprocess.run(
        [
            sys.executable,
            "-m",
            "labwarden",
            "-w",
            str(ws),
            "inspect",
            "secrets",
            str(repo),
            "--baseline",
            str(ws / "secrets-baseline.json"),
            "--update-baseline",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (ws / "secrets-baseline.json").is_file(), first.stderr
    scan = subprocess.run(
        [
            sys.executable,
            "-m",
            "labwarden",
            "-w",
            str(ws),
            "scan",
            str(tmp_path / "lab"),
            "--format",
            "json",
            "--fail-on",
            "high",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert scan.returncode == 0, scan.stdout + scan.stderr
    import json

    assert not [f for f in json.loads(scan.stdout)["findings"] if f["check"] == "secrets"]


def test_deeply_nested_json_is_bad_input_not_a_crash(workspace: Workspace, tmp_path: Path) -> None:
    from labwarden.checks.registry import all_checks
    from labwarden.checks.standalone import inspect_paths

    root = tmp_path / "lab"
    (root / "model").mkdir(parents=True)
    deep = '{"architectures": ["Bert"], "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    for name in ("model/config.json", "model/tokenizer.json", "notes.ipynb", "rows.jsonl"):
        (root / name).write_text(deep)
    (root / "model" / "model.safetensors").write_bytes(
        len(deep).to_bytes(8, "little") + deep.encode()
    )
    (root / "fine.csv").write_text("a,b\n1,2\n")
    result = scan(workspace, root)
    assert result.files_new == 6
    found = inspect_paths([str(root)], all_checks())
    assert found.errors == []
    assert any("nested too deeply" in f.message for f in found.findings)
