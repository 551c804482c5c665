"""Alerts: stored with evidence, ranked by risk, refreshed (not duplicated) on re-runs."""

from __future__ import annotations

import itertools
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.core.errors import InputError
from labwarden.core.values import Sensitivity, Severity
from labwarden.core.workspace import Workspace
from labwarden.store.alerts import AlertRecord
from labwarden.store.catalog import Catalog
from labwarden.watch import alerting
from labwarden.watch.analytics.engine import AnalyticsAlert
from labwarden.watch.analytics.service import record_of as analytics_record
from labwarden.watch.detect.run import run_rules
from labwarden.watch.detect.sigma.rules import load
from tests.watch.detect.helpers import lake_of, record, write_rule

RULE = """
title: Bucket policy changed
id: 33333333-3333-4333-8333-000000000001
status: test
logsource:
    product: aws
    service: cloudtrail
detection:
    sel:
        eventName: PutBucketPolicy
    condition: sel
level: high
"""


def test_store_list_show_and_rerun(tmp_path: Path, workspace: Workspace) -> None:
    records = [
        record(m, "mallory", "PutBucketPolicy", requestParameters={"bucketName": "b"})
        for m in (0, 5)
    ]
    records.append(record(9, "alice", "GetObject"))
    _, con = lake_of(tmp_path, records)
    rules = load([write_rule(tmp_path / "rules", "r.yml", RULE)])
    result = run_rules(con, rules.rules)
    with Catalog.open(workspace) as catalog:
        assert alerting.store(catalog, result.detections) == (1, 0)
        assert alerting.store(catalog, run_rules(con, rules.rules).detections) == (0, 1)
        (alert,) = catalog.alerts.find()
        assert alert.principal == "mallory" and alert.event_count == 2
        # A high rule sits in the high band whatever it touched; nothing known lifts it little.
        assert alert.severity is Severity.HIGH and 60 <= alert.risk < 65
        assert alert.detail["risk"]["band"] == "high 60-79"
        shown = catalog.alerts.get(alert.id)
        assert [e["api_operation"] for e in shown.evidence] == ["PutBucketPolicy"] * 2
        assert shown.evidence[0]["origin_file"].endswith("trail.json")
        catalog.alerts.set_status(alert.id, "closed")
        assert catalog.alerts.find() == []
        assert len(catalog.alerts.find(status=None)) == 1
        with pytest.raises(InputError):
            catalog.alerts.get(999)


def test_risk_bands_never_invert_severity() -> None:
    levels = ["informational", "low", "medium", "high", "critical"]
    tiers = [None, *Sensitivity]
    for lower, higher in itertools.pairwise(levels):
        # The least sensitive higher-severity alert outranks the most sensitive lower one.
        assert min(alerting.risk_of(higher, s) for s in tiers) > max(
            alerting.risk_of(lower, s) for s in tiers
        )
    assert alerting.risk_of("high", Sensitivity.RESTRICTED) == 79
    assert alerting.risk_of("critical", Sensitivity.RESTRICTED) == 100
    assert alerting.risk_of("high", Sensitivity.PUBLIC) < alerting.risk_of("high", None)
    assert alerting.risk_of("high", None) < alerting.risk_of("high", Sensitivity.INTERNAL)
    assert (
        alerting.top_sensitivity(
            [{"asset_sensitivity": "internal"}, {"asset_sensitivity": "restricted"}]
        )
        is Sensitivity.RESTRICTED
    )


_LEVELS = st.sampled_from(["informational", "low", "medium", "high", "critical"])
_TIERS = st.sampled_from([None, *Sensitivity])


@settings(max_examples=300, deadline=None)
@given(level=_LEVELS, tiers=st.lists(_TIERS, max_size=6), canary=st.booleans())
def test_a_rule_alert_risk_stays_in_its_severity_band(
    level: str, tiers: list[Sensitivity | None], canary: bool
) -> None:
    evidence = [{"asset_sensitivity": t.value if t else None} for t in tiers]
    parts = alerting.risk_parts(level, alerting.top_sensitivity(evidence), canary=canary)
    low, high = alerting.RISK_BANDS[alerting.severity_of(level)]
    assert low <= parts["risk"] <= high
    assert parts["risk"] == parts["base"] + parts["sensitivity_points"]


@settings(max_examples=300, deadline=None)
@given(risk=st.floats(min_value=0, max_value=100, allow_nan=False))
def test_an_analytics_alert_risk_stays_in_its_severity_band(risk: float) -> None:
    alert = AnalyticsAlert("r18", date(2026, 10, 1), risk, risk / 10, "t", [], {})
    stored = analytics_record(alert)
    low, high = alerting.RISK_BANDS[stored.severity]
    assert low <= stored.risk <= high


def _stored(index: int, severity: Severity, risk: int) -> AlertRecord:
    return AlertRecord(
        fingerprint=f"fp-{index}",
        rule_id=f"rule-{index}",
        rule_title=f"rule {index}",
        rule_path="",
        kind=("detection", "correlation", "analytics")[index % 3],
        severity=severity,
        tags=[],
        group={},
        principal=None,
        first_seen=f"2026-10-01T08:{index % 60:02d}:00+00:00",
        last_seen=f"2026-10-01T08:{index % 60:02d}:00+00:00",
        event_count=1,
        asset_id=None,
        assets=[],
        sensitivity=None,
        risk=risk,
    )


@settings(max_examples=60, deadline=None)
@given(
    alerts=st.lists(
        st.tuples(st.sampled_from(list(Severity)), st.integers(min_value=0, max_value=100)),
        min_size=2,
        max_size=15,
    )
)
def test_listing_never_ranks_an_alert_under_a_lower_severity(
    alerts: list[tuple[Severity, int]],
) -> None:
    """Whatever risks the producers gave (rules, analytics, canaries, a future one), the list
    an analyst reads puts every alert above those of a lower severity, and by risk within one."""
    with tempfile.TemporaryDirectory() as folder:
        workspace = Workspace(Path(folder) / "ws").ensure()
        with Catalog.open(workspace) as catalog:
            catalog.alerts.upsert([_stored(i, s, r) for i, (s, r) in enumerate(alerts)])
            listed = [(a.severity, a.risk) for a in catalog.alerts.find(status=None)]
    assert listed == sorted(listed, reverse=True)
