"""Alerts: stored with evidence, ranked by risk, refreshed (not duplicated) on re-runs."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from labwarden.core.errors import InputError
from labwarden.core.values import Sensitivity, Severity
from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.watch import alerting
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
