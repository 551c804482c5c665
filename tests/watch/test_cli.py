"""The watch commands end to end through the CLI, exactly as the README shows them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from labwarden.cli.app import app
from labwarden.watch.detect.sigma.rules import bundled_rules_dir, load
from tests.conftest import corpora_path


def test_ingest_events_detect_alerts(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = ["--workspace", str(tmp_path / ".labwarden")]
    logs = str(corpora_path("logs", "cloudtrail-invictus"))
    result = runner.invoke(app, [*ws, "ingest", "--threads", "1", logs])
    assert result.exit_code == 0, result.output
    assert "ingested 2900 events" in result.output
    assert "LICENSE:0: unknown log format" in result.output
    again = runner.invoke(app, [*ws, "ingest", logs])
    assert "ingested 0 events" in again.output and "55 unchanged" in again.output

    events = runner.invoke(
        app, [*ws, "events", "--principal", "bert-jan", "--action", "CreateVolume", "-f", "json"]
    )
    assert events.exit_code == 0, events.output
    rows = json.loads(events.stdout)
    assert rows and all(r["api_operation"] == "CreateVolume" for r in rows)
    # A role matches every session of it; the session (here an instance) is who acted.
    role = "stratus-red-team-ec2-steal-credentials-role"
    sessions = runner.invoke(app, [*ws, "events", "--principal", role, "-f", "json", "-n", "500"])
    rows = json.loads(sessions.stdout)
    assert len(rows) == 15
    assert {(r["actor_user"], r["actor_role"]) for r in rows} == {("i-0dbc91f429e48eeed", role)}
    sql = runner.invoke(
        app, [*ws, "events", "--sql", "SELECT count(*) AS n FROM events", "-f", "json"]
    )
    assert json.loads(sql.stdout) == [{"n": 2900}]
    bad = runner.invoke(app, [*ws, "events", "--sql", "SELECT nope FROM events"])
    assert bad.exit_code != 0

    rules = str(corpora_path("sigma", "cloud", "aws", "cloudtrail"))
    listed = runner.invoke(app, [*ws, "detect", "--rules", rules, "--list-rules", "-f", "json"])
    assert listed.exit_code == 0
    pack = len(load([bundled_rules_dir()]).rules)
    assert sum(1 for r in json.loads(listed.stdout) if r["status"] == "ok") == 57 + pack
    detected = runner.invoke(
        app, [*ws, "detect", "--rules", rules, "--fail-on", "high", "-f", "json"]
    )
    assert detected.exit_code == 1, detected.output
    alerts = runner.invoke(app, [*ws, "alerts", "-f", "json"])
    found = json.loads(alerts.stdout)
    assert any(a["rule"]["title"] == "AWS IAM Backdoor Users Keys" for a in found)
    shown = runner.invoke(app, [*ws, "alerts", "show", str(found[0]["id"])])
    assert shown.exit_code == 0 and "evidence" in shown.output
    assert "risk" in shown.output and "band" in shown.output
    # Ranking never puts a high-severity rule under a medium one.
    high = [a["risk"] for a in found if a["severity"] == "high"]
    medium = [a["risk"] for a in found if a["severity"] == "medium"]
    assert high and medium and min(high) > max(medium)
