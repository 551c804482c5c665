"""The timeline of a realistic breach: lake events, alerts, catalog history, triage archives;
written as JSONL and CSV that a Timesketch-style reader accepts."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from labwarden.core.incident import IncidentDraft, Scope
from labwarden.core.values import Severity
from labwarden.respond.incident.entries import micros
from labwarden.respond.incident.render import write_csv, write_jsonl
from labwarden.respond.incident.timeline import build_timeline
from labwarden.store.alerts import AlertRecord
from labwarden.store.catalog import Catalog
from tests.respond.incident.scenario import (
    ATTACKER_EVENTS,
    ATTACKER_IP,
    STOLEN_KEY,
    Scenario,
    build,
)

TIMESKETCH_REQUIRED = ("message", "datetime", "timestamp_desc")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build(tmp_path_factory.mktemp("breach"))


def timesketch_records(text: str) -> list[dict[str, Any]]:
    """Read JSONL as Timesketch's importer does: an object a line with a non-empty
    ``message`` and ``timestamp_desc`` and an ISO 8601 ``datetime`` with an offset."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        record = json.loads(line)
        assert isinstance(record, dict), number
        for name in TIMESKETCH_REQUIRED:
            assert isinstance(record.get(name), str) and record[name], (number, name)
        when = datetime.fromisoformat(record["datetime"])
        assert when.utcoffset() is not None, number
        assert record["timestamp"] == micros(when), number
        found.append(record)
    return found


def _open(catalog: Catalog, scope: Scope, **kw: Any) -> int:
    return catalog.incidents.open(IncidentDraft(title="breach", scope=scope, **kw), "t").id


def test_stolen_key_timeline_in_order_and_timesketch_ready(scenario: Scenario) -> None:
    with Catalog.open(scenario.workspace) as catalog:
        incident_id = _open(catalog, Scope(selectors=[("access_key", STOLEN_KEY)]))
        catalog.incidents.note(incident_id, "key disabled", "alice")
        timeline = build_timeline(catalog, scenario.workspace, catalog.incidents.get(incident_id))
    out = io.StringIO()
    count = write_jsonl(timeline.lines(), out)
    records = timesketch_records(out.getvalue())
    assert count == len(records) == len(timeline)
    lake = [r for r in records if r["source"] == "lake"]
    assert len(lake) == ATTACKER_EVENTS
    assert {r["access_key"] for r in lake} == {STOLEN_KEY}
    assert {r["src_ip"] for r in lake} == {ATTACKER_IP}
    stamps = [r["timestamp"] for r in records]
    assert stamps == sorted(stamps)
    reads = [r for r in lake if r["operation"] == "GetObject"]
    # sub-second times survive: the shards were read 2.25 s apart
    assert reads[1]["datetime"].endswith("02:11:02.250000+00:00")
    assert any(r["kind"] == "note" and "key disabled" in r["message"] for r in records)
    # catalog history of the assets read (added by the scan) is in the stream
    assert any(r["source"] == "catalog" and r["asset_name"] == "protein-lm" for r in records)
    assert any("in no catalog asset" in n for n in timeline.notes)  # missing.csv


def test_window_and_selectors_bound_the_lake_lines(scenario: Scenario) -> None:
    with Catalog.open(scenario.workspace) as catalog:
        windowed = _open(
            catalog,
            Scope(selectors=[("source_ip", ATTACKER_IP)]),
            since="2026-03-03T02:11:00Z",
            until="2026-03-03T02:11:03Z",
        )
        empty = _open(catalog, Scope())
        quiet = _open(catalog, Scope(selectors=[("principal", "nobody")]))
        lines = build_timeline(catalog, scenario.workspace, catalog.incidents.get(windowed))
        none = build_timeline(catalog, scenario.workspace, catalog.incidents.get(empty))
        nothing = build_timeline(catalog, scenario.workspace, catalog.incidents.get(quiet))
    assert lines.lake_events == 2
    assert none.lake_events == 0 and any("no selectors" in n for n in none.notes)
    assert nothing.lake_events == 0
    assert any("no lake event matches" in n for n in nothing.notes)


def test_alert_evidence_is_marked_and_not_repeated(scenario: Scenario) -> None:
    evidence = [
        {"event_uid": "ev-0010", "time": "2026-03-03T02:11:00+00:00", "actor_user": "svc-train"},
        {"event_uid": "not-in-lake", "time": "2026-03-03T01:00:00+00:00", "actor_user": "x"},
    ]
    record = AlertRecord(
        fingerprint="tl-1", rule_id="r", rule_title="Bulk read", rule_path="",
        kind="detection", severity=Severity.HIGH, tags=[], group={}, principal="svc-train",
        first_seen="2026-03-03T02:10:00+00:00", last_seen="2026-03-03T02:12:31+00:00",
        event_count=2, asset_id=None, assets=[], sensitivity=None, risk=70, evidence=evidence,
    )  # fmt: skip
    with Catalog.open(scenario.workspace) as catalog:
        catalog.alerts.upsert([record])
        alert_id = catalog.alerts.last_id()
        incident_id = _open(
            catalog, Scope(selectors=[("access_key", STOLEN_KEY)], alerts=[alert_id])
        )
        timeline = build_timeline(catalog, scenario.workspace, catalog.incidents.get(incident_id))
    records = [line.to_dict() for line in timeline.lines()]
    uids = [r.get("event_uid") for r in records if r.get("event_uid")]
    assert len(uids) == len(set(uids))
    marked = [r for r in records if r.get("event_uid") == "ev-0010"]
    assert marked[0]["alerts"] == [alert_id] and marked[0]["source"] == "lake"
    outside = [r for r in records if r.get("event_uid") == "not-in-lake"]
    assert outside[0]["source"] == "alert"
    assert records[0]["event_uid"] == "not-in-lake"  # 01:00, the earliest line
    assert any(r["kind"] == "alert" and r["timestamp_desc"] == "Alert First Seen" for r in records)


def test_csv_has_timesketch_header_and_parses(scenario: Scenario) -> None:
    with Catalog.open(scenario.workspace) as catalog:
        incident_id = _open(catalog, Scope(selectors=[("principal", "alice")]))
        timeline = build_timeline(catalog, scenario.workspace, catalog.incidents.get(incident_id))
    out = io.StringIO()
    write_csv(timeline.lines(), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert set(TIMESKETCH_REQUIRED) <= set(rows[0])
    lake = [r for r in rows if r["source"] == "lake"]
    assert [r["principal"] for r in lake] == ["alice"]
    assert lake[0]["bytes"] == "4200"
    for row in rows:
        assert datetime.fromisoformat(row["datetime"]).utcoffset() is not None


def test_unreadable_archive_is_a_note_not_a_crash(scenario: Scenario, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"\x1f\x8b not gzip at all")
    from labwarden.core.incident import AttachmentRecord

    with Catalog.open(scenario.workspace) as catalog:
        attachment = AttachmentRecord("triage", str(bogus), "0" * 64, 10, "bogus")
        incident_id = _open(catalog, Scope(attachments=[attachment]))
        timeline = build_timeline(catalog, scenario.workspace, catalog.incidents.get(incident_id))
    assert any("changed since it was attached" in n for n in timeline.notes)
    assert any("not a readable triage archive" in n for n in timeline.notes)
