"""``labwarden incident`` as a user runs it: a real process, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "labwarden", "-w", str(ws), "incident", *args],
        capture_output=True,
        text=True,
        check=False,
        env={"LABWARDEN_ACTOR": "responder", "PATH": "/usr/bin:/bin"},
    )


def test_open_list_show_add_note_close(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    opened = run(
        ws,
        "open",
        "stolen key",
        "--principal",
        "mallory",
        "--access-key",
        "AKIA1",
        "--since",
        "2026-03-01T00:00:00Z",
        "--format",
        "json",
    )
    assert opened.returncode == 0, opened.stderr
    record = json.loads(opened.stdout)
    incident_id = str(record["id"])
    assert record["opened_by"] == "responder"
    assert {(s["kind"], s["value"]) for s in record["selectors"]} == {
        ("principal", "mallory"),
        ("access_key", "AKIA1"),
    }
    plain = run(ws, "open", "second")
    assert plain.returncode == 0 and plain.stdout.strip().isdigit()
    listed = json.loads(run(ws, "list", "--format", "json").stdout)
    assert [i["title"] for i in listed] == ["second", "stolen key"]
    assert run(ws, "add", incident_id, "--source-ip", "203.0.113.9").returncode == 0
    assert run(ws, "note", incident_id, "key revoked", "--by", "alice").returncode == 0
    assert run(ws, "set", incident_id, "--field", "dpo_contact=dpo@lab.example").returncode == 0
    closed = run(ws, "close", incident_id, "--resolution", "keys rotated")
    assert closed.returncode == 0, closed.stderr
    shown = json.loads(run(ws, "show", incident_id, "--format", "json").stdout)
    assert shown["status"] == "closed"
    assert shown["fields"] == {"dpo_contact": "dpo@lab.example"}
    assert shown["notes"][0]["author"] == "alice"
    assert [c["action"] for c in shown["changes"]] == [
        "opened",
        "scope_added",
        "scope_added",
        "noted",
        "updated",
        "status",
    ]
    table = run(ws, "show", incident_id)
    assert "203.0.113.9" in table.stdout and "keys rotated" in table.stdout
    closed_only = json.loads(run(ws, "list", "--status", "closed", "--format", "json").stdout)
    assert [i["id"] for i in closed_only] == [int(incident_id)]


def test_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert "no labwarden workspace" in run(ws, "show", "42").stderr
    assert run(ws, "open", "first").returncode == 0
    for args, message in (
        (("show", "42"), "no incident 42"),
        (("open", "t", "--alert", "3"), "no alert 3"),
        (("open", "t", "--since", "last week"), "not an ISO 8601 time"),
        (("open", "t", "--asset", "nope"), "no asset 'nope'"),
    ):
        result = run(ws, *args)
        assert result.returncode == 2, args
        assert message in result.stderr
        assert "Traceback" not in result.stderr
    nothing = run(ws, "add", "1")
    assert nothing.returncode == 2 and "nothing to add" in nothing.stderr
    unclosed = run(ws, "close", "1")
    assert unclosed.returncode == 2 and "resolution" in unclosed.stderr


def test_timeline_to_a_file_and_notes_on_stderr(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert run(ws, "open", "quiet", "--principal", "nobody").returncode == 0
    target = tmp_path / "timeline.jsonl"
    result = run(ws, "timeline", "1", "--format", "jsonl", "--output", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    # no lake, no alerts: only the incident's own opening and scope
    assert [line["message"].split()[1] for line in lines] == ["opened", "scope_added"]
    assert "holds no events" in result.stderr
    csv_out = run(ws, "timeline", "1", "--format", "csv")
    assert csv_out.stdout.splitlines()[0].startswith("message,datetime,timestamp,timestamp_desc")
    missing = run(ws, "timeline", "9")
    assert missing.returncode == 2 and "no incident 9" in missing.stderr


def test_scope_json_parses_and_says_what_is_unknown(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert run(ws, "open", "quiet", "--principal", "nobody").returncode == 0
    result = run(ws, "scope", "1", "--format", "json")
    assert result.returncode == 0, result.stderr
    scope = json.loads(result.stdout)
    assert scope["assets"] == [] and scope["totals"]["bytes_read"]["value"] == 0
    assert any("nothing is known to be touched" in n for n in scope["notes"])
    table = run(ws, "scope", "1")
    assert "Unknown" in table.stdout


def test_report_html_to_a_file_and_fields_to_fill_on_stderr(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert run(ws, "open", "quiet", "--principal", "nobody").returncode == 0
    target = tmp_path / "report.html"
    result = run(ws, "report", "1", "--format", "html", "--output", str(target))
    assert result.returncode == 0, result.stderr
    page = target.read_text()
    assert page.startswith("<!DOCTYPE html>") and "TO BE FILLED IN by a person" in page
    assert "dpo_contact" in result.stderr
    markdown = run(ws, "report", "1")
    assert markdown.stdout.startswith("# Personal data breach notification: incident 1")
    document = json.loads(run(ws, "report", "1", "--format", "json").stdout)
    assert document["format"] == "labwarden-breach-report/1"
