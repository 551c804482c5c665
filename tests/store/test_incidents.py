"""The incident store over a real catalog: scope, notes, states and the audit trail."""

from __future__ import annotations

import pytest

from labwarden.core.errors import InputError
from labwarden.core.values import Severity
from labwarden.core.workspace import Workspace
from labwarden.store.alerts import AlertRecord
from labwarden.store.catalog import Catalog
from labwarden.store.incidents import AttachmentRecord, IncidentDraft, Scope


def _alert(catalog: Catalog) -> int:
    record = AlertRecord(
        fingerprint="fp-1",
        rule_id="r1",
        rule_title="bulk read",
        rule_path="",
        kind="detection",
        severity=Severity.HIGH,
        tags=[],
        group={},
        principal="mallory",
        first_seen="2026-03-01T10:00:00+00:00",
        last_seen="2026-03-01T11:00:00+00:00",
        event_count=1,
        asset_id=None,
        assets=[],
        sensitivity=None,
        risk=70,
        evidence=[{"time": "2026-03-01T10:00:00+00:00", "actor_user": "mallory"}],
    )
    catalog.alerts.upsert([record])
    return catalog.alerts.last_id()


def test_open_get_and_find(workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        alert_id = _alert(catalog)
        draft = IncidentDraft(
            title="  stolen key  ",
            since="2026-03-01T09:00:00Z",
            until="2026-03-02T09:00:00+01:00",
            scope=Scope(
                selectors=[("principal", "mallory"), ("access_key", "AKIA1")], alerts=[alert_id]
            ),
        )
        opened = catalog.incidents.open(draft, "alice")
        again = catalog.incidents.get(opened.id)
        assert again.title == "stolen key"
        assert again.since == "2026-03-01T09:00:00+00:00"
        assert again.until == "2026-03-02T08:00:00+00:00"
        assert again.status == "open"
        assert again.opened_by == "alice"
        assert again.selected("principal") == ["mallory"]
        assert again.selected("access_key") == ["AKIA1"]
        assert again.alert_ids == [alert_id]
        assert [c.action for c in again.changes] == ["opened", "scope_added"]
        assert all(c.actor == "alice" for c in again.changes)
        assert [i.id for i in catalog.incidents.find(alert_id=alert_id)] == [opened.id]
        assert catalog.incidents.find(status="closed") == []


def test_scope_add_is_idempotent_and_remove_narrows(workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        incident = catalog.incidents.open(IncidentDraft(title="t"), "alice")
        scope = Scope(
            selectors=[("source_ip", "203.0.113.9")],
            events=[{"time": "2026-03-01T10:00:00Z", "api_operation": "GetObject"}],
            attachments=[AttachmentRecord("triage", "/tmp/x.tar.gz", "ab" * 32, 10, "x")],
        )
        first = catalog.incidents.add(incident.id, scope, "bob")
        second = catalog.incidents.add(incident.id, scope, "bob")
        assert first == {"selectors": 1, "alerts": 0, "assets": 0, "events": 1, "attachments": 1}
        assert set(second.values()) == {0}
        loaded = catalog.incidents.get(incident.id)
        assert loaded.events[0].event_time == "2026-03-01T10:00:00+00:00"
        assert loaded.attachments[0].added_by == "bob"
        removed = catalog.incidents.remove(
            incident.id, Scope(selectors=[("source_ip", "203.0.113.9")]), "carol"
        )
        assert removed["selectors"] == 1
        final = catalog.incidents.get(incident.id)
        assert final.selectors == []
        assert final.changes[-1].actor == "carol"
        assert final.changes[-1].action == "scope_removed"


def test_update_records_only_real_changes(workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        incident = catalog.incidents.open(IncidentDraft(title="t"), "alice")
        catalog.incidents.update(incident.id, "bob", title="t")
        assert [c.action for c in catalog.incidents.changes(incident.id)] == ["opened"]
        updated = catalog.incidents.update(
            incident.id,
            "bob",
            severity=Severity.CRITICAL,
            fields={"dpo_contact": "dpo@lab.example", "unused": None},
        )
        assert updated.severity is Severity.CRITICAL
        assert updated.fields == {"dpo_contact": "dpo@lab.example"}
        change = updated.changes[-1]
        assert change.actor == "bob"
        assert change.detail["severity"] == {"from": "high", "to": "critical"}
        removed = catalog.incidents.update(incident.id, "bob", fields={"dpo_contact": ""})
        assert removed.fields == {}


def test_states_and_notes(workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        incident = catalog.incidents.open(IncidentDraft(title="t"), "alice")
        with pytest.raises(InputError, match="resolution"):
            catalog.incidents.set_status(incident.id, "closed", "alice")
        catalog.incidents.set_status(incident.id, "contained", "alice")
        closed = catalog.incidents.set_status(incident.id, "closed", "bob", "keys rotated")
        assert (closed.status, closed.resolution) == ("closed", "keys rotated")
        assert closed.closed_at is not None
        reopened = catalog.incidents.set_status(incident.id, "open", "carol")
        assert reopened.closed_at is None and reopened.resolution is None
        catalog.incidents.note(incident.id, "called the DPO", "dave")
        loaded = catalog.incidents.get(incident.id)
        assert [(n.author, n.text) for n in loaded.notes] == [("dave", "called the DPO")]
        statuses = [(c.actor, c.detail.get("to")) for c in loaded.changes if c.action == "status"]
        assert statuses == [("alice", "contained"), ("bob", "closed"), ("carol", "open")]


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        (Scope(alerts=[99]), "no alert 99"),
        (Scope(assets=[7]), "no asset 7"),
        (Scope(selectors=[("colour", "red")]), "not a selector kind"),
        (Scope(selectors=[("principal", " ")]), "empty principal"),
    ],
)
def test_bad_scope_is_an_input_error_and_stores_nothing(
    workspace: Workspace, scope: Scope, message: str
) -> None:
    with Catalog.open(workspace) as catalog:
        incident = catalog.incidents.open(IncidentDraft(title="t"), "alice")
        with pytest.raises(InputError, match=message):
            catalog.incidents.add(incident.id, scope, "alice")
        assert len(catalog.incidents.get(incident.id).changes) == 1


def test_bad_input(workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        with pytest.raises(InputError, match="no incident 5"):
            catalog.incidents.get(5)
        with pytest.raises(InputError, match="not an ISO 8601 time"):
            catalog.incidents.open(IncidentDraft(title="t", since="yesterday"), "a")
        with pytest.raises(InputError, match="starts"):
            catalog.incidents.open(
                IncidentDraft(title="t", since="2026-03-02", until="2026-03-01"), "a"
            )
        with pytest.raises(InputError, match="title"):
            catalog.incidents.open(IncidentDraft(title=" "), "a")
        with pytest.raises(InputError, match="actor"):
            catalog.incidents.open(IncidentDraft(title="t"), " ")
        assert catalog.incidents.find() == []
