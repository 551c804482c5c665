"""The access model in an incident's scope: who could read the touched assets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labwarden.core.incident import IncidentDraft, Scope
from labwarden.identity.reach import access_provider
from labwarden.respond.incident.scope import build_scope
from labwarden.store.catalog import Catalog
from tests.identity.builders import (
    ACCOUNT,
    ADMIN_ARN,
    allow,
    details,
    policy,
    role,
    trust_principal,
    user,
)
from tests.respond.incident.scenario import STOLEN_KEY, Scenario, build


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build(tmp_path_factory.mktemp("breach"))


def test_scope_lists_who_could_read_the_touched_assets(scenario: Scenario, tmp_path: Path) -> None:
    auth = tmp_path / "auth.json"
    auth.write_text(
        json.dumps(
            details(
                [
                    user("svc-train", policy(allow("s3:GetObject", "arn:aws:s3:::lab-models/*"))),
                    user("alice", policy(allow("s3:GetObject", "arn:aws:s3:::lab-trials/CTX-9/*"))),
                    user("admin", attached=[ADMIN_ARN]),
                    user("intern", policy(allow("s3:ListBucket"))),
                ]
            )
        )
    )
    access = access_provider(auth)
    with Catalog.open(scenario.workspace) as catalog:
        incident = catalog.incidents.open(
            IncidentDraft(title="t", scope=Scope(selectors=[("access_key", STOLEN_KEY)])), "t"
        )
        scope = build_scope(catalog, scenario.workspace, incident, access=access)
        names = {a.id: a.name for a in catalog.assets.find()}
    assert scope.could_read is not None
    readers: dict[str, set[str]] = {}
    for reach in scope.could_read:
        readers.setdefault(names[reach.asset_id], set()).add(reach.principal)
    assert readers["protein-lm"] == {"user/svc-train", "user/admin"}
    assert readers["dm.csv"] == {"user/alice", "user/admin"}
    assert readers["train"] == {"user/admin"}
    how = {r.principal: r.how for r in scope.could_read if names[r.asset_id] == "dm.csv"}
    assert how["user/alice"] == "user/alice inline inline0#0"
    # The stolen key's user could read the model only, and read it: nothing reachable is unread.
    assert scope.reachable_not_read == []
    assert scope.to_dict()["could_read"]


def test_uses_judge_the_lakes_reads_against_the_model(scenario: Scenario, tmp_path: Path) -> None:
    from labwarden.identity.uses import bucket_uses

    auth = tmp_path / "auth.json"
    auth.write_text(
        json.dumps(
            details(
                [
                    user("svc-train", policy(allow("s3:GetObject", "arn:aws:s3:::lab-models/*"))),
                    user("alice", policy(allow("s3:GetObject", "arn:aws:s3:::lab-trials/*"))),
                ]
            )
        )
    )
    uses = bucket_uses(access_provider(auth), scenario.workspace.lake_path)
    verdicts = {(u.principal.rsplit("/", 1)[-1], u.bucket, u.operation): u.verdict for u in uses}
    assert verdicts[("svc-train", "lab-models", "GetObject")] == "granted"
    assert verdicts[("svc-train", "lab-trials", "GetObject")] == "never granted"
    assert verdicts[("svc-train", "lab-models", "ListObjectsV2")] == "never granted"
    assert verdicts[("alice", "lab-models", "GetObject")] == "never granted"
    granted = next(u for u in uses if u.verdict == "granted")
    assert "Allow by identity policy user/svc-train inline inline0#0" in granted.why


def test_reach_is_judged_for_the_identity_an_arn_resolves_to(
    scenario: Scenario, tmp_path: Path
) -> None:
    """A role session is its role (never a user who shares the session's name), the sessions
    of one role are one identity, and another account's principal is not this file's."""
    auth = tmp_path / "auth.json"
    models = policy(allow("s3:GetObject", "arn:aws:s3:::lab-models/*"))
    trials = policy(allow("s3:GetObject", "arn:aws:s3:::lab-trials/*"))
    trust = trust_principal(f"arn:aws:iam::{ACCOUNT}:root")
    auth.write_text(
        json.dumps(details([user("alice", trials)], roles=[role("trainer", trust, models)]))
    )
    access = access_provider(auth)
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/trainer/"
    with Catalog.open(scenario.workspace) as catalog:
        names = {a.id: a.name for a in catalog.assets.find()}
        reach = access.readable_assets(
            [
                session + "alice",
                session + "bob",
                "arn:aws:sts::999999999999:assumed-role/trainer/x",
            ],
            catalog,
        )
        by_name = access.readable_assets(["alice"], catalog)
    assert {(r.principal, names[r.asset_id]) for r in reach} == {("role/trainer", "protein-lm")}
    assert {(r.principal, names[r.asset_id]) for r in by_name} == {("user/alice", "dm.csv")}
    found, why = access.resolve_actor("arn:aws:iam::999999999999:user/alice", None, "alice")
    assert found is None
    assert why == "a principal of another account (999999999999)"
