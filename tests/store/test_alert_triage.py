"""Alert triage in the catalog: revisions, stale writes, and no lost update under concurrency."""

from __future__ import annotations

import threading

import pytest

from labwarden.core.errors import InputError
from labwarden.core.values import Severity
from labwarden.core.workspace import Workspace
from labwarden.store.alert_triage import StaleWriteError, TriageChange
from labwarden.store.alerts import AlertRecord
from labwarden.store.catalog import Catalog


def _alert(catalog: Catalog) -> int:
    catalog.alerts.upsert(
        [
            AlertRecord(
                fingerprint="f1",
                rule_id="r",
                rule_title="Rule",
                rule_path="",
                kind="detection",
                severity=Severity.HIGH,
                tags=[],
                group={},
                principal="p",
                first_seen="2026-01-01T00:00:00+00:00",
                last_seen="2026-01-01T00:00:00+00:00",
                event_count=1,
                asset_id=None,
                assets=[],
                sensitivity=None,
                risk=50,
            )
        ]
    )
    return catalog.alerts.last_id()


def test_changes_bump_the_revision_and_leave_a_history(workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        alert_id = _alert(catalog)
        assert catalog.alert_triage.state(alert_id).revision == 0
        before, after = catalog.alert_triage.change(
            alert_id, TriageChange(status="acknowledged", assignee="ann"), "ann"
        )
        assert (before.status, after.status, after.assignee, after.revision) == (
            "open",
            "acknowledged",
            "ann",
            1,
        )
        same = catalog.alert_triage.change(alert_id, TriageChange(status="acknowledged"), "ann")
        assert same[0] == same[1]  # nothing changed, nothing written
        with pytest.raises(StaleWriteError, match="changed since revision 0"):
            catalog.alert_triage.change(alert_id, TriageChange(note="x"), "bo", expected=0)
        with pytest.raises(InputError, match="needs a reason"):
            catalog.alert_triage.change(alert_id, TriageChange(status="closed"), "bo")
        catalog.alert_triage.change(
            alert_id, TriageChange(status="closed", reason="benign", assignee=""), "bo", 1
        )
        notes = catalog.alert_triage.notes(alert_id)
        assert [(n.kind, n.author) for n in notes] == [
            ("status", "ann"),
            ("assignee", "ann"),
            ("status", "bo"),
            ("assignee", "bo"),
        ]
        assert notes[2].text == "acknowledged -> closed: benign"
        assert catalog.alerts.get(alert_id).status == "closed"
        assert catalog.alert_triage.state(alert_id).assignee is None
        with pytest.raises(InputError, match="no alert 999"):
            catalog.alert_triage.state(999)


def test_concurrent_writers_lose_no_update(workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        alert_id = _alert(catalog)
    writers, notes_each = 6, 15
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with Catalog.open(workspace) as mine:
                for i in range(notes_each):
                    mine.alert_triage.change(alert_id, TriageChange(note=f"{n}-{i}"), f"w{n}")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with Catalog.open(workspace) as catalog:
        notes = catalog.alert_triage.notes(alert_id)
        assert catalog.alert_triage.state(alert_id).revision == writers * notes_each
    assert sorted(n.text for n in notes) == sorted(
        f"{n}-{i}" for n in range(writers) for i in range(notes_each)
    )
