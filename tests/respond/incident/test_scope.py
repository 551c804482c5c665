"""The scope of a realistic breach, checked against the data it was built from."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from labwarden.core.incident import IncidentDraft, Scope
from labwarden.respond.incident.scope import Reachable, build_scope
from labwarden.respond.incident.subjects import subject_column
from labwarden.store.catalog import Catalog
from labwarden.store.seals import AssetVersion
from tests.respond.incident.scenario import (
    AE_ROWS,
    BYTES_READ,
    MODEL_SHARDS,
    ROWS,
    STOLEN_KEY,
    SUBJECTS,
    Scenario,
    build,
)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build(tmp_path_factory.mktemp("breach"))


def _scope_of(scenario: Scenario, scope: Scope) -> tuple[Catalog, int]:
    catalog = Catalog.open(scenario.workspace)
    incident = catalog.incidents.open(IncidentDraft(title="t", scope=scope), "t")
    return catalog, incident.id


def test_stolen_key_scope_matches_the_data(scenario: Scenario) -> None:
    catalog, incident_id = _scope_of(scenario, Scope(selectors=[("access_key", STOLEN_KEY)]))
    with catalog:
        scope = build_scope(catalog, scenario.workspace, catalog.incidents.get(incident_id))
    by_name = {t.name: t for t in scope.assets}
    assert set(by_name) == {"protein-lm", "dm.csv", "ae.csv", "train"}
    model = by_name["protein-lm"]
    assert (model.kind, len(model.objects_read), model.bytes_read) == (
        "model",
        MODEL_SHARDS,
        MODEL_SHARDS * 4200,
    )
    assert scope.totals["bytes_read"].value == BYTES_READ
    assert scope.totals["assets_read"].value == 4
    assert scope.personal.subjects.value == SUBJECTS  # ae.csv's subjects are dm.csv's
    assert scope.personal.records.value == ROWS + AE_ROWS
    # the backup bucket's copy of ae.csv is matched by its path, and the scope says so
    assert any("nightly/data/trials/CTX-9/ae.csv counted as asset" in n for n in scope.notes)
    assert "USUBJID" in scope.personal.subjects.how
    table = next(t for t in scope.personal.tables if t.path.endswith("dm.csv"))
    assert table.subject_column == "USUBJID" and table.how_read == "the asset is this one table"
    assert table.risk is not None and table.risk["highest"] == 1.0
    categories = {c["category"] for c in scope.personal.categories}
    assert {"age", "sex", "date_of_birth", "ethnicity"} <= categories
    assert scope.personal.special_categories
    rotate = [r.what for r in scope.rotate]
    assert rotate[0] == STOLEN_KEY
    assert any("AWS access key ID" in r for r in rotate)  # in the training code read
    assert [(i.asset_name, i.state) for i in scope.integrity] == [("protein-lm", "unsealed")]
    unresolved = {t.name for t in scope.unresolved if t.events.get("read")}
    assert unresolved == {"s3://lab-trials/CTX-9/"}  # missing.csv is in no asset
    assert scope.reachable_not_read is None
    assert any("could have read" in n for n in scope.notes)


def _seal(catalog: Catalog, asset_id: int, sealed_at: str) -> AssetVersion:
    version = AssetVersion(
        0,
        asset_id,
        catalog.seals.next_number(asset_id),
        sealed_at,
        "t",
        "k",
        "fp",
        "ed25519",
        "blake3",
        "m",
        "root",
        4,
        1,
        0,
        "x",
        "{}",
    )
    return catalog.seals.add(version)


def test_seals_tell_tampered_from_intact(scenario: Scenario, tmp_path: Path) -> None:
    catalog, incident_id = _scope_of(scenario, Scope(selectors=[("access_key", STOLEN_KEY)]))
    with catalog:
        model = catalog.assets.get("protein-lm")
        version = _seal(catalog, model.id, "2026-03-01T00:00:00+00:00")
        _seal(catalog, model.id, "2026-04-01T00:00:00+00:00")  # after the reads: not in effect
        incident = catalog.incidents.get(incident_id)
        unknown = build_scope(catalog, scenario.workspace, incident).integrity[0]
        assert (unknown.version, unknown.state) == (f"{model.id}@v1", "unknown")
        assert unknown.command == f"labwarden verify {model.uri} --asset {model.id}@v1"
        catalog.seals.record_verification(version.id, "/copy", "mismatch", {"counts": {}})
        tampered = build_scope(catalog, scenario.workspace, incident).integrity[0]
        assert tampered.state == "tampered" and tampered.must_verify
        catalog.seals.record_verification(version.id, "/backup", "verified", {})
        intact = build_scope(catalog, scenario.workspace, incident).integrity[0]
        assert intact.state == "intact" and not intact.must_verify


class _Grants:
    """An access model that lets every principal read every catalog asset."""

    def readable_assets(self, principals: Sequence[str], catalog: Catalog) -> list[Reachable]:
        return [Reachable(a.id, p, "test grant") for a in catalog.assets.find() for p in principals]


def test_access_provider_lists_what_was_reachable_but_not_read(scenario: Scenario) -> None:
    catalog, incident_id = _scope_of(scenario, Scope(selectors=[("access_key", STOLEN_KEY)]))
    with catalog:
        incident = catalog.incidents.get(incident_id)
        scope = build_scope(catalog, scenario.workspace, incident, access=_Grants())
        read = {t.asset_id for t in scope.assets}
        assert scope.reachable_not_read is not None
        names = {catalog.assets.get(str(r.asset_id)).name for r in scope.reachable_not_read}
    assert names == {"vision-lm"}
    assert not read & {r.asset_id for r in scope.reachable_not_read}


def test_empty_scope_says_so(scenario: Scenario) -> None:
    catalog, incident_id = _scope_of(scenario, Scope(selectors=[("principal", "nobody")]))
    with catalog:
        scope = build_scope(catalog, scenario.workspace, catalog.incidents.get(incident_id))
    assert scope.assets == [] and scope.personal.subjects.value is None
    assert any("nothing is known to be touched" in n for n in scope.notes)


def test_subject_column_is_found_as_the_privacy_check_finds_it() -> None:
    assert subject_column(["STUDYID", "USUBJID", "AGE"]) == "USUBJID"
    assert subject_column(["patient_id", "age"]) == "patient_id"
    assert subject_column(["AGE", "SEX"]) is None


def test_a_host_upload_triage_judged_counts_as_a_read(scenario: Scenario, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from labwarden.respond.incident import IncidentRequest, open_incident
    from labwarden.respond.triage import TriageOptions, run_triage
    from tests.respond.incident.hosts import build_host

    root = tmp_path / "host"
    build_host(root, datetime.now(UTC), lab=str(scenario.lab))
    archive = tmp_path / "host.tar.gz"
    run_triage(TriageOptions(root=root, output=archive), workspace=scenario.workspace, lake=False)
    with Catalog.open(scenario.workspace) as catalog:
        incident = open_incident(catalog, "host", IncidentRequest(triage=[archive]), "t")
        scope = build_scope(catalog, scenario.workspace, incident)
    model = next(t for t in scope.assets if t.name == "protein-lm")
    assert model.events == {"read": 1}
    assert model.principals == {"root"}
    assert any(o.startswith("gpu-07:") for o in model.objects_read)


def test_lake_asset_ids_missing_from_the_catalog_are_unresolved(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    import pyarrow as pa

    from labwarden.core.events import LAKE_SCHEMA
    from labwarden.core.workspace import Workspace
    from labwarden.store.lake import Lake

    workspace = Workspace(tmp_path / "ws").ensure()
    event = {
        "time": datetime(2026, 3, 3, 2, 0, tzinfo=UTC),
        "actor_user": "x",
        "api_operation": "GetObject",
        "resource_uri": "s3://b/k",
        "asset_id": 999,
        "asset_name": "gone",
        "bytes": 5,
        "status": "success",
        "event_uid": "u1",
    }
    lake = Lake(workspace.lake_path).ensure()
    with lake.writing():
        lake.write_part(
            "cloudtrail", "2026-03-03", "p1", pa.Table.from_pylist([event], LAKE_SCHEMA)
        )
    lake.close()
    with Catalog.open(workspace) as catalog:
        incident = catalog.incidents.open(
            IncidentDraft(title="t", scope=Scope(selectors=[("principal", "x")])), "t"
        )
        scope = build_scope(catalog, workspace, incident)
    assert scope.assets == [] and [t.name for t in scope.unresolved] == ["gone"]
    assert any("not in the catalog (999)" in n for n in scope.notes)
