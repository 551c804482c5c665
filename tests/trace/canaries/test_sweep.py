"""Canary touches in the lake (keys, also on failed calls; decoy objects) become alerts."""

from __future__ import annotations

from pathlib import Path

from labwarden.core.values import Severity
from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.trace.canaries.kinds import CanaryKind
from labwarden.trace.canaries.plant import PlantRequest, plant, retire
from labwarden.trace.canaries.sweep import sweep
from labwarden.watch.service import compile_rules, detect
from tests.trace.canaries.helpers import ingest_trail, trail

KEY = "AKIA4HQZ7KX2MWBTR5PD"


def _identity(key: str) -> dict[str, str]:
    return {
        "type": "IAMUser",
        "userName": "ci-bot",
        "arn": "arn:aws:iam::1:user/ci-bot",
        "accessKeyId": key,
    }


def test_key_and_object_touches(tmp_path: Path, workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        plant(catalog, PlantRequest(CanaryKind.AWS_KEY, name="ci-key", access_key_id=KEY))
        plant(
            catalog,
            PlantRequest(CanaryKind.OBJECT, name="keys", matches=["s3://lab-data/decoy/"]),
        )
    records = [
        trail(1, "ListBuckets", userIdentity=_identity(KEY), errorCode="AccessDenied"),
        trail(2, "GetCallerIdentity", userIdentity=_identity(KEY)),
        trail(3, "GetObject", requestParameters={"bucketName": "lab-data", "key": "decoy/k.csv"}),
        trail(4, "GetObject", requestParameters={"bucketName": "lab-data", "key": "real/a.csv"}),
    ]
    ingest_trail(tmp_path / "logs", workspace, records)
    with Catalog.open(workspace) as catalog:
        result = sweep(workspace, catalog)
        assert (result.events, result.new_alerts, result.updated_alerts) == (3, 2, 0)
        again = sweep(workspace, catalog)
        assert (again.new_alerts, again.updated_alerts) == (0, 2)
        alerts = {a.group["canary"]: a for a in catalog.alerts.find()}
        assert set(alerts) == {"ci-key", "keys"}
        key_alert = catalog.alerts.get(alerts["ci-key"].id)
        assert key_alert.severity is Severity.CRITICAL and key_alert.risk == 100
        assert key_alert.event_count == 2 and key_alert.principal == "ci-bot"
        assert key_alert.detail["event_uids"] == [e["event_uid"] for e in key_alert.evidence]
        assert {e["status"] for e in key_alert.evidence} == {"failure", "success"}
        obj = catalog.alerts.get(alerts["keys"].id)
        assert [e["resource_uri"] for e in obj.evidence] == ["s3://lab-data/decoy/k.csv"]
        assert obj.detail["planted_at"] == "s3://lab-data/decoy/"


def test_retired_canaries_are_quiet_and_detect_runs_the_sweep(
    tmp_path: Path, workspace: Workspace
) -> None:
    with Catalog.open(workspace) as catalog:
        plant(catalog, PlantRequest(CanaryKind.AWS_KEY, name="old", access_key_id=KEY))
        plant(
            catalog,
            PlantRequest(CanaryKind.AWS_KEY, name="new", access_key_id="AKIA6TJZ3QWXN2VRLK7C"),
        )
        retire(catalog, "old")
    ingest_trail(
        tmp_path / "logs",
        workspace,
        [
            trail(1, "ListBuckets", userIdentity=_identity(KEY)),
            trail(2, "ListBuckets", userIdentity=_identity("AKIA6TJZ3QWXN2VRLK7C")),
        ],
    )
    with Catalog.open(workspace) as catalog:
        run = detect(workspace, catalog, compile_rules([], bundled=True))
        canary_alerts = [a for a in catalog.alerts.find() if a.rule_id == "labwarden-canary-touch"]
        assert [a.group["canary"] for a in canary_alerts] == ["new"]
        assert run.new_alerts >= 1


def test_secret_seen_elsewhere(tmp_path: Path, workspace: Workspace) -> None:
    from typer.testing import CliRunner

    from labwarden.cli.app import app

    planted = tmp_path / "planted" / "credentials"
    elsewhere = tmp_path / "share" / "notes.txt"
    elsewhere.parent.mkdir()
    elsewhere.write_text(f"old ci key {KEY} do not use\n")
    with Catalog.open(workspace) as catalog:
        plant(
            catalog,
            PlantRequest(CanaryKind.AWS_KEY, name="ci", access_key_id=KEY, into=planted),
        )
    scanned = CliRunner().invoke(
        app, ["--workspace", str(workspace.root), "scan", str(elsewhere.parent)]
    )
    assert scanned.exit_code in (0, 1), scanned.output
    with Catalog.open(workspace) as catalog:
        result = sweep(workspace, catalog)
        (alert,) = result.alerts
        assert alert.detail["how"] == "secret seen elsewhere"
        assert alert.evidence[0]["resource_uri"] == str(elsewhere)
