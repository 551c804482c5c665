"""``detect --iam``: object-store accesses judged by the policies, end to end through real files.

An authorization-details file and CloudTrail S3 data events are written to disk, ingested into
a real lake, and ``labwarden detect --iam`` runs over it: a read the policies never granted is
an alert of its own; a first read of a bucket that was always allowed is context in the alert
that saw it; a read allowed only under conditions the evaluator cannot decide is undecided.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from labwarden.cli.app import app
from labwarden.core.errors import InputError
from labwarden.core.incident import IncidentDraft
from labwarden.core.incident import Scope as IncidentScope
from labwarden.core.workspace import Workspace
from labwarden.identity.grant_alerts import RULE_ID
from labwarden.store.catalog import Catalog
from tests.identity.builders import ACCOUNT, allow, details, policy, role, trust_service, user

OFFICE = "10.1.2.3"
OUTSIDE = "203.0.113.9"
RULE = """title: Object read
id: 7f1c1f2e-0d4b-4a53-9d0e-3f4a1b2c3d4e
status: test
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventSource: s3.amazonaws.com
        eventName: GetObject
    condition: selection
level: low
"""


def _identity(kind: str, name: str, session: str | None = None) -> dict[str, Any]:
    if kind == "role":
        assert session is not None
        return {
            "type": "AssumedRole",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/{session}",
            "accountId": ACCOUNT,
            "accessKeyId": f"ASIA{name.upper()}",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
                    "userName": name,
                }
            },
        }
    return {
        "type": "IAMUser",
        "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
        "accountId": ACCOUNT,
        "accessKeyId": f"AKIA{name.upper()}",
        "userName": name,
    }


def _read(n: int, day: int, who: dict[str, Any], bucket: str, key: str, ip: str) -> dict[str, Any]:
    return {
        "eventVersion": "1.09",
        "userIdentity": who,
        "eventTime": f"2026-11-{day:02d}T09:{n % 60:02d}:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "awsRegion": "eu-west-1",
        "sourceIPAddress": ip,
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": {"bucketName": bucket, "key": key},
        "additionalEventData": {"bytesTransferredOut": 1024},
        "eventID": f"ev-{n:04d}",
        "recipientAccountId": ACCOUNT,
    }


def _records() -> list[dict[str, Any]]:
    trainer = _identity("role", "trainer", "i-0abc")
    # A session named like a user is still its role: alice the user may not read lab-models.
    as_alice = _identity("role", "trainer", "alice")
    records: list[dict[str, Any]] = []
    for day in range(1, 10):
        records.append(_read(len(records), day, trainer, "lab-models", "lm/w.bin", OFFICE))
    records.append(_read(len(records), 9, trainer, "lab-trials", "CTX-9/dm.csv", OUTSIDE))
    records.append(_read(len(records), 9, as_alice, "lab-models", "lm/w.bin", OFFICE))
    records.append(_read(len(records), 9, _identity("user", "bob"), "lab-models", "lm/a", OFFICE))
    records.append(_read(len(records), 9, _identity("user", "alice"), "lab-data", "d.csv", OFFICE))
    other = _identity("role", "trainer", "x")
    other["arn"] = "arn:aws:sts::999999999999:assumed-role/trainer/x"
    records.append(_read(len(records), 9, other, "lab-trials", "CTX-9/dm.csv", OUTSIDE))
    return records


def _details() -> dict[str, Any]:
    models = allow("s3:GetObject", "arn:aws:s3:::lab-models/*")
    office = allow(
        "s3:GetObject",
        "arn:aws:s3:::lab-data/*",
        Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    )
    return details(
        [user("bob", policy(models)), user("alice", policy(office))],
        roles=[role("trainer", trust_service("ec2.amazonaws.com"), policy(models))],
    )


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("grants")
    (root / "logs").mkdir()
    (root / "logs" / "trail.json").write_text(json.dumps({"Records": _records()}))
    (root / "auth.json").write_text(json.dumps(_details()))
    (root / "rule.yml").write_text(RULE)
    ws = ["--workspace", str(root / ".labwarden")]
    runner = CliRunner()
    ingested = runner.invoke(app, [*ws, "ingest", str(root / "logs")])
    assert ingested.exit_code == 0, ingested.output
    run = runner.invoke(
        app,
        [
            *ws,
            "detect",
            "--no-bundled",
            "--no-analytics",
            "--rules",
            str(root / "rule.yml"),
            "--iam",
            str(root / "auth.json"),
            "--fail-on",
            "high",
            "-f",
            "json",
        ],
    )
    listed = runner.invoke(app, [*ws, "alerts", "-f", "json", "-n", "100"])
    alerts = json.loads(listed.stdout)
    return {"root": root, "ws": ws, "run": run, "alerts": alerts, "runner": runner}


def _never(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a for a in alerts if a["rule"]["id"] == RULE_ID]


def test_a_read_never_granted_is_a_high_alert(lab: dict[str, Any]) -> None:
    run = lab["run"]
    assert run.exit_code == 1, run.output  # --fail-on high: the never-granted read
    never = _never(lab["alerts"])
    assert [(a["principal"], a["group"]["bucket"]) for a in never] == [("i-0abc", "lab-trials")]
    alert = never[0]
    assert alert["severity"] == "high"
    grant = alert["detail"]["grant"]
    assert grant["identity"] == "role/trainer" and grant["verdict"] == "never granted"
    assert grant["first_use"] is True
    why = " ".join(alert["detail"]["explanations"])
    assert "no bucket policy of lab-trials was given or scanned" in why
    assert "no policy change" in why and OUTSIDE in why and "ASIATRAINER" in why
    assert all(e["resource_uri"] == "s3://lab-trials/CTX-9/dm.csv" for e in alert["evidence"])
    assert "undecided" in run.stderr and "s3://lab-data" in run.stderr
    assert "999999999999" in run.stderr  # another account's role: not judged, no alert


def test_granted_principals_raise_no_such_alert(lab: dict[str, Any]) -> None:
    never = _never(lab["alerts"])
    assert {a["principal"] for a in never} == {"i-0abc"}
    # bob reads a bucket he may read; the "alice" session is role/trainer, which may read it;
    # alice the user is allowed only from the office network, which cannot be decided.
    assert not any(a["principal"] in {"bob", "alice"} for a in never)


def test_first_read_of_an_allowed_bucket_is_context(lab: dict[str, Any]) -> None:
    runner, ws = lab["runner"], lab["ws"]
    by_principal = {
        (a["principal"], a["first_seen"][:10]): a
        for a in lab["alerts"]
        if a["rule"]["title"] == "Object read"
    }
    bob = runner.invoke(
        app, [*ws, "alerts", "show", str(by_principal[("bob", "2026-11-09")]["id"])]
    )
    assert bob.exit_code == 0, bob.output
    always = "first read of s3://lab-models, a bucket it has always been allowed to read"
    assert always in bob.stdout
    routine = by_principal[("i-0abc", "2026-11-05")]["detail"]["grants"]
    assert [(g["bucket"], g["verdict"], g["first_use"]) for g in routine] == [
        ("lab-models", "granted", False)
    ]
    stolen = by_principal[("i-0abc", "2026-11-09")]["detail"]["grants"]
    trials = next(g for g in stolen if g["bucket"] == "lab-trials")
    assert (
        trials["verdict"] == "never granted" and trials["alert"] == _never(lab["alerts"])[0]["id"]
    )
    session = by_principal[("alice", "2026-11-09")]["detail"]["grants"]
    kinds = {(g["identity"], g["bucket"], g["verdict"]) for g in session}
    assert ("role/trainer", "lab-models", "granted") in kinds
    assert ("user/alice", "lab-data", "undecided") in kinds


def test_the_incident_scope_shows_the_same_verdicts(lab: dict[str, Any]) -> None:
    runner, ws = lab["runner"], lab["ws"]
    with Catalog.open(Workspace(lab["root"] / ".labwarden")) as catalog:
        incident = catalog.incidents.open(
            IncidentDraft(
                title="trainer key",
                since="2026-11-09T00:00:00+00:00",
                scope=IncidentScope(selectors=[("access_key", "ASIATRAINER")]),
            ),
            "t",
        )
    shown = runner.invoke(
        app,
        [*ws, "incident", "scope", str(incident.id), "--iam", str(lab["root"] / "auth.json")],
    )
    assert shown.exit_code == 0, shown.output
    assert "Granted by the policies?" in shown.stdout
    document = runner.invoke(
        app,
        [
            *ws,
            "incident",
            "scope",
            str(incident.id),
            "--iam",
            str(lab["root"] / "auth.json"),
            "-f",
            "json",
        ],
    )
    grants = json.loads(document.stdout)["grants"]
    verdicts = {(g["principal"], g["identity"], g["bucket"], g["verdict"]) for g in grants}
    # Only the window's day; the same verdicts as detect's: the session's lab-trials read was
    # never granted, its lab-models reads were; the other account's session is not judged.
    assert {g["day"] for g in grants} == {"2026-11-09"}
    assert ("i-0abc", "role/trainer", "lab-trials", "never granted") in verdicts
    assert ("i-0abc", "role/trainer", "lab-models", "granted") in verdicts
    assert ("x", None, "lab-trials", "not judged") in verdicts


def test_an_analytics_alert_gets_first_uses_and_doubtful_accesses(lab: dict[str, Any]) -> None:
    from labwarden.identity.grant_check import context, targets
    from labwarden.identity.grants import JudgedAccess, lake_accesses
    from labwarden.identity.load import load_model
    from labwarden.watch.analytics.engine import AnalyticsAlert

    access = JudgedAccess(load_model(lab["root"] / "auth.json"))
    accesses = lake_accesses(access, lab["root"] / ".labwarden" / "lake")
    day = date(2026, 11, 9)
    scored = [
        AnalyticsAlert("i-0abc", day, 70.0, 3.0, "t", [], {}),
        AnalyticsAlert("i-0abc", date(2026, 11, 5), 70.0, 3.0, "t", [], {}),
    ]
    (stolen, routine) = targets([], scored)
    assert stolen.buckets is None  # a principal-day: every bucket it used that day
    # The day's routine, granted read of lab-models is left out; the never-granted one is in.
    assert [(a.bucket, a.verdict, a.first_use) for a in context(stolen, accesses)] == [
        ("lab-trials", "never granted", True)
    ]
    assert context(routine, accesses) == []
    first = next(a for a in accesses if a.principal == "i-0abc" and a.day == date(2026, 11, 1))
    assert first.first_use and first.verdict == "granted"


def test_iam_uses_judges_a_role_session_as_its_role(lab: dict[str, Any]) -> None:
    from labwarden.identity.reach import access_provider
    from labwarden.identity.uses import bucket_uses

    uses = bucket_uses(
        access_provider(lab["root"] / "auth.json"), lab["root"] / ".labwarden" / "lake"
    )
    verdicts = {(u.principal, u.bucket): u.verdict for u in uses}
    # The "alice" session of role/trainer may read lab-models; alice the user may not.
    assert verdicts[("alice", "lab-models")] == "granted"
    assert verdicts[("alice", "lab-data")] == "undecided"
    assert verdicts[("i-0abc", "lab-trials")] == "never granted"


def test_a_detect_run_without_iam_keeps_the_grant_context(
    lab: dict[str, Any], tmp_path: Path
) -> None:
    runner, root = lab["runner"], lab["root"]
    shutil.copytree(root / ".labwarden", tmp_path / ".labwarden")
    ws = ["--workspace", str(tmp_path / ".labwarden")]
    again = runner.invoke(
        app, [*ws, "detect", "--no-bundled", "--no-analytics", "--rules", str(root / "rule.yml")]
    )
    assert again.exit_code == 0, again.output
    alerts = json.loads(runner.invoke(app, [*ws, "alerts", "-f", "json", "-n", "100"]).stdout)
    reads = {
        (a["principal"], a["first_seen"][:10]): a["detail"]
        for a in alerts
        if a["rule"]["title"] == "Object read"
    }
    assert reads[("bob", "2026-11-09")]["grants"]  # refreshed by the run, context kept
    assert reads[("bob", "2026-11-09")]["learned"] == ["grants"]


def test_iam_uses_and_detect_give_the_same_verdicts(lab: dict[str, Any]) -> None:
    """One resolver and one set of words: what ``iam uses`` calls never granted is what
    ``detect --iam`` raised, for the same principal and bucket."""
    runner, root, ws = lab["runner"], lab["root"], lab["ws"]
    auth = str(root / "auth.json")
    shown = runner.invoke(
        app, [*ws, "iam", "uses", auth, "--verdict", "never-granted", "-f", "json"]
    )
    assert shown.exit_code == 0, shown.output
    never = {(u["principal"], u["bucket"]) for u in json.loads(shown.stdout)}
    assert never == {(a["principal"], a["group"]["bucket"]) for a in _never(lab["alerts"])}
    bad = runner.invoke(app, [*ws, "iam", "uses", auth, "--verdict", "conditional"])
    assert isinstance(bad.exception, InputError) and bad.exception.exit_code == 2
    assert "not one of granted, undecided, never-granted, not-judged" in str(bad.exception)
