"""Analytics over a workspace lake: alerts land in the catalog beside rule detections."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.watch.analytics.engine import AnalyticsConfig
from labwarden.watch.analytics.service import lake_days, run_analytics
from labwarden.watch.analytics.simulate import Attack, Scenario, write_lake


def test_alerts_are_stored_explained_and_updated_not_duplicated(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / ".labwarden").ensure()
    scenario = Scenario(
        principals=80,
        days=14,
        events_per_day=6000,
        seed=3,
        attacks=[Attack("stolen-key", 10, 12)],
    )
    truth = write_lake(scenario, workspace.lake_path)
    attacked = scenario.start + timedelta(days=12)
    victim = truth.attacks[0][1]
    with Catalog.open(workspace) as catalog:
        run = run_analytics(workspace, catalog, AnalyticsConfig())
        assert len(run.aggregated) == 14
        assert all((d - scenario.start).days >= 7 for d in {a.day for a in run.alerts})
        stored = catalog.alerts.find()
        top = stored[0]
        assert (top.kind, top.principal) == ("analytics", victim)
        assert top.first_seen.startswith(attacked.isoformat())
        assert top.risk >= 60
        assert top.detail["components"][0]["explanation"]
        assert top.detail["baseline"]["active_days"] >= 7
        assert catalog.alerts.get(top.id).evidence
        again = run_analytics(workspace, catalog, AnalyticsConfig(), days=lake_days(workspace))
        assert again.aggregated == []
        assert again.new_alerts == 0 and again.updated_alerts == len(again.alerts)
        assert len(catalog.alerts.find()) == len(stored)
