"""Alerts: the triage list, one alert with its evidence and triage history, and changes."""

from __future__ import annotations

from typing import Any

from labwarden.core.values import Severity
from labwarden.store.alert_triage import TriageChange, TriageState
from labwarden.store.alerts import StoredAlert
from labwarden.store.catalog import Catalog
from labwarden.web.views.paging import Page


def _document(alert: StoredAlert, state: TriageState | None) -> dict[str, Any]:
    document = alert.to_dict()
    if state is not None:
        document.update(state.to_dict())
    return document


def list_alerts(
    catalog: Catalog,
    page: Page,
    *,
    status: str | None = "open",
    severity: Severity | None = None,
    rule: str | None = None,
    assignee: str | None = None,
) -> dict[str, Any]:
    """One page of alerts, highest risk first (``status=None``: every status)."""
    found = catalog.alerts.find(min_severity=severity, status=status, rule=rule)
    states = catalog.alert_triage.states([a.id for a in found])
    if assignee is not None:
        found = [a for a in found if (states[a.id].assignee or "") == assignee]
    items = []
    for alert in page.of(found):
        document = _document(alert, states.get(alert.id))
        document.pop("evidence", None)
        items.append(document)
    return page.document(items, len(found))


def alert_detail(catalog: Catalog, alert_id: int) -> dict[str, Any]:
    """One alert with its evidence events and triage history."""
    alert = catalog.alerts.get(alert_id)
    document = _document(alert, catalog.alert_triage.state(alert_id))
    document["notes"] = [n.to_dict() for n in catalog.alert_triage.notes(alert_id)]
    return document


def change_alert(
    catalog: Catalog, alert_id: int, change: TriageChange, author: str, expected: int | None
) -> tuple[TriageState, TriageState]:
    """Apply a triage change (see :meth:`AlertTriageStore.change`)."""
    return catalog.alert_triage.change(alert_id, change, author, expected)
