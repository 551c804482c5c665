"""Exit codes, error messages and clean stdout, through the real command."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.watch.analytics.simulate import Attack, Scenario, write_lake
from tests.cli.lab import run, small_lab
from tests.conftest import corpora_path


@pytest.mark.parametrize("command", [["scan"], ["inspect", "models"], ["findings"]], ids=str)
def test_fail_on_is_one_enum_everywhere(tmp_path: Path, command: list[str]) -> None:
    lab = small_lab(tmp_path / "lab")
    args = [*command, str(lab)] if command != ["findings"] else command
    result = run("-w", str(tmp_path / "ws"), *args, "--fail-on", "bogus")
    assert result.returncode == 2
    assert "'bogus' is not one of" in result.stderr and "never" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_scan_fails_on_high_by_default_and_never_on_request(tmp_path: Path) -> None:
    lab = small_lab(tmp_path / "lab")
    ws = str(tmp_path / "ws")
    first = run("-w", ws, "scan", str(lab), "--format", "json")
    assert first.returncode == 1, first.stderr
    document = json.loads(first.stdout)
    assert {f["severity"] for f in document["findings"]} >= {"critical", "high"}
    # a rescan that reads nothing new still reports (and fails on) what is open
    again = run("-w", ws, "scan", str(lab), "--format", "json")
    assert again.returncode == 1
    rescan = json.loads(again.stdout)
    assert rescan["checked_findings"] == []
    assert {f["fingerprint"] for f in rescan["findings"]} == {
        f["fingerprint"] for f in document["findings"]
    }
    assert run("-w", ws, "scan", str(lab), "--fail-on", "never").returncode == 0
    # accepting every high and critical finding turns the default scan green
    for finding in document["findings"]:
        if finding["severity"] in ("high", "critical"):
            accepted = run("-w", ws, "findings", "accept", finding["fingerprint"], "--reason", "t")
            assert accepted.returncode == 0, accepted.stderr
    assert run("-w", ws, "scan", str(lab)).returncode == 0


def _cells(table: str, column: int) -> list[str]:
    """One column of a printed table, each row's cell joined again where the table folded it."""
    cells: list[str] = []
    for line in table.splitlines():
        parts = line.split("\u2502")  # the body's vertical rule; the header uses a heavy one
        if len(parts) > column + 1:
            if parts[1].strip() or not cells:  # a new row starts where its id is printed
                cells.append("")
            cells[-1] += parts[column + 1].strip()
    return cells


def test_user_text_is_shown_as_is_never_as_markup(tmp_path: Path) -> None:
    for name in ("no[/]such", "[red]x", "[bold]y[/bold]"):
        missing = tmp_path / name
        result = run("-w", str(tmp_path / "ws"), "scan", str(missing))
        assert result.returncode == 2, result.stderr
        assert f"{missing}: no such file or folder" in result.stderr
        assert "Traceback" not in result.stderr
    odd = tmp_path / "[red]lab"
    small_lab(odd)
    ws = str(tmp_path / "ws")
    assert run("-w", ws, "scan", str(odd), "--fail-on", "never").returncode == 0
    listed = json.loads(run("-w", ws, "findings", "-f", "json").stdout)
    shown = run("-w", ws, "findings", "show", str(listed[0]["id"]))
    assert shown.returncode == 0, shown.stderr
    assert f"where: {odd}/" in shown.stdout
    where = _cells(run("-w", ws, "findings").stdout, 6)
    assert len(where) == len(listed) and all("/[red]lab/" in w for w in where), where


def test_verbose_is_a_repeatable_flag_and_help_says_so() -> None:
    shown = run("-h")
    line = next(x for x in shown.stdout.splitlines() if "--verbose" in x)
    assert "<int>" not in line
    assert run("-vv", "--version").returncode == 0


@pytest.mark.parametrize(
    ("spelling", "debug"),
    [
        (["-v"], False),
        (["-vv"], True),
        (["-v", "2"], True),
        (["--verbose", "2"], True),
        (["--verbose=2"], True),
    ],
    ids=["-v", "-vv", "-v 2", "--verbose 2", "--verbose=2"],
)
def test_verbose_2_means_vv(tmp_path: Path, spelling: list[str], debug: bool) -> None:
    # an OSV folder holding only a file that is not JSON: an input error, and the loader says
    # why in a debug log
    (tmp_path / "osv").mkdir()
    (tmp_path / "osv" / "broken.json").write_text("not json")
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "train.py").write_text("import os\n")
    result = run(
        *spelling, "inspect", "code", str(tmp_path / "code"), "--osv-db", "osv", cwd=tmp_path
    )
    assert result.returncode == 2 and "osv: no OSV advisories found" in result.stderr
    assert "Traceback" in result.stderr  # -v and more show the error's traceback
    line = "DEBUG labwarden.checks.code.osv: osv/broken.json: not JSON, skipped"
    assert (line in result.stderr) is debug, result.stderr
    assert "No such command" not in result.stderr


def test_inspect_reports_the_missing_path_and_still_scans_the_others(tmp_path: Path) -> None:
    lab = small_lab(tmp_path / "lab")
    result = run("inspect", "models", str(tmp_path / "nope"), str(lab), "--format", "json")
    assert result.returncode == 2
    assert f"{tmp_path / 'nope'}: no such file or folder" in result.stderr
    findings = json.loads(result.stdout)
    assert any(f["rule"] == "dangerous-import" for f in findings)
    only_missing = run("inspect", "models", str(tmp_path / "nope"))
    assert only_missing.returncode == 2 and "nothing to inspect" in only_missing.stderr


def test_verify_names_a_missing_folder(tmp_path: Path) -> None:
    result = run("-w", str(tmp_path / "ws"), "verify", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert f"{tmp_path / 'missing'}: no such file or folder" in result.stderr
    assert "no asset" not in result.stderr


def test_ctrl_c_during_a_query_exits_130_without_traceback(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    small_lab(tmp_path / "lab")
    run("-w", str(ws), "scan", str(tmp_path / "lab"), "--fail-on", "never")
    endless = "SELECT count(*) FROM range(1000000000000) a WHERE a.range % 7 = 3"
    process = subprocess.Popen(
        [sys.executable, "-m", "labwarden", "-w", str(ws), "events", "--sql", endless],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a test runner's worker may ignore SIGINT; the user's shell does not
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
    )
    status = Path(f"/proc/{process.pid}/status")
    deadline = time.monotonic() + 120
    # DuckDB starts its worker threads when the query runs: interrupt it then
    while time.monotonic() < deadline and process.poll() is None:
        threads = next(
            (int(x.split()[1]) for x in status.read_text().splitlines() if x.startswith("Threads")),
            1,
        )
        if threads > 1:
            break
        time.sleep(0.2)
    while process.poll() is None and time.monotonic() < deadline:
        process.send_signal(signal.SIGINT)
        time.sleep(0.5)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "internal error" not in err
    assert "interrupted" in err


def test_detect_json_stdout_parses_with_analytics_alerts(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / ".labwarden").ensure()
    scenario = Scenario(
        principals=30, days=10, events_per_day=1500, seed=5, attacks=[Attack("stolen-key", 12, 8)]
    )
    write_lake(scenario, workspace.lake_path)
    Catalog.open(workspace).close()
    # real CloudTrail beside the simulated days: the Sigma rules need the full lake columns
    logs = str(corpora_path("logs", "cloudtrail-invictus"))
    assert run("-w", str(workspace.root), "ingest", "--threads", "1", logs).returncode == 0
    result = run(
        "-w", str(workspace.root), "detect", "--min-risk", "0", "--budget", "2", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    assert isinstance(json.loads(result.stdout), list)
    analytics = [x for x in result.stderr.splitlines() if x.startswith("analytics ")]
    assert analytics and "risk" in analytics[0]
