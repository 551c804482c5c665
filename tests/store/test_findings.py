"""Findings in the catalog: queries with filters and paging, and triage kept across rescans."""

from __future__ import annotations

import sqlite3

import pytest

from labwarden.core.errors import InputError
from labwarden.core.finding import Finding, Location
from labwarden.core.values import AssetKind, Sensitivity, Severity
from labwarden.core.workspace import Workspace
from labwarden.store.assets import AssetChange
from labwarden.store.catalog import Catalog
from labwarden.store.findings import FindingQuery, StoredFinding, TriageStatus

ALL = FindingQuery(statuses=())


def add_asset(catalog: Catalog, uri: str, kind: AssetKind) -> int:
    scan = catalog.scans.start([uri], "blake3")
    return catalog.assets.save(
        AssetChange(
            uri=uri,
            name=uri.rsplit("/", 1)[-1],
            kind=kind,
            grouping="file",
            sensitivity=Sensitivity.CONFIDENTIAL,
            reasons=[],
            formats=[],
            file_paths=[],
            size=0,
            content_digest="d",
        ),
        scan,
        "added",
        {},
    )


def new_scan(catalog: Catalog) -> int:
    return catalog.scans.start(["/lab"], "blake3")


def finding(check: str, rule: str, severity: Severity, path: str, line: int = 1) -> Finding:
    return Finding(check, rule, severity, Location(path, line=line), f"{rule} at {line}")


@pytest.fixture
def catalog(workspace: Workspace) -> Catalog:
    return Catalog.open(workspace)


def seed(catalog: Catalog) -> tuple[int, int]:
    model = add_asset(catalog, "/lab/model.pkl", AssetKind.MODEL)
    code = add_asset(catalog, "/lab/train", AssetKind.CODE)
    catalog.findings.record(
        model,
        ["modelfile"],
        [
            finding("modelfile", "dangerous-import", Severity.CRITICAL, "/lab/model.pkl"),
            finding("modelfile", "unknown-import", Severity.MEDIUM, "/lab/model.pkl", 2),
        ],
        1,
    )
    catalog.findings.record(
        code,
        ["secrets"],
        [
            finding("secrets", "aws-access-key", Severity.HIGH, "/lab/train/a.py", 3),
            finding("secrets", "generic-password", Severity.LOW, "/lab/train/b.py", 9),
        ],
        2,
    )
    return model, code


def rules(items: list[StoredFinding]) -> list[str]:
    return [i.finding.rule for i in items]


def test_query_filters_by_severity_check_asset_and_kind(catalog: Catalog) -> None:
    model, code = seed(catalog)
    store = catalog.findings
    at_least_high = store.all(FindingQuery(min_severity=Severity.HIGH))
    assert rules(at_least_high) == ["dangerous-import", "aws-access-key"]
    assert len(store.all(FindingQuery(checks=("secrets",)))) == 2
    assert rules(store.all(FindingQuery(checks=("secrets/aws-access-key",)))) == ["aws-access-key"]
    assert {i.finding.asset_id for i in store.all(FindingQuery(asset_ids=(code,)))} == {code}
    models = store.all(FindingQuery(kinds=(AssetKind.MODEL,)))
    assert {i.asset_kind for i in models} == {AssetKind.MODEL}
    assert models[0].asset_uri == "/lab/model.pkl"
    assert {i.finding.asset_id for i in models} == {model}


def test_query_pages_and_counts_in_severity_order(catalog: Catalog) -> None:
    seed(catalog)
    first = catalog.findings.query(ALL, limit=3)
    second = catalog.findings.query(ALL, limit=3, offset=3)
    assert first.total == second.total == 4
    severities = [i.finding.severity for i in first.items + second.items]
    assert severities == sorted(severities, reverse=True)
    assert len(second.items) == 1
    with pytest.raises(InputError):
        catalog.findings.query(ALL, offset=-1)


def test_new_since_uses_first_seen_time_and_scan(catalog: Catalog) -> None:
    seed(catalog)
    assert len(catalog.findings.all(FindingQuery(new_since="1970-01-01T00:00:00+00:00"))) == 4
    assert catalog.findings.all(FindingQuery(new_since="2999-01-01T00:00:00+00:00")) == []
    assert {i.finding.check for i in catalog.findings.all(FindingQuery(new_since_scan=1))} == {
        "secrets"
    }


def test_acceptance_survives_a_rescan_and_is_logged(catalog: Catalog) -> None:
    model, _ = seed(catalog)
    critical = catalog.findings.all(FindingQuery(min_severity=Severity.CRITICAL))[0]
    (accepted,) = catalog.findings.accept(
        [critical.fingerprint], reason="sandboxed test model", actor="alice"
    )
    assert accepted.status is TriageStatus.ACCEPTED
    assert (accepted.reason, accepted.actor) == ("sandboxed test model", "alice")
    # a rescan finds the same thing again: still accepted, and no longer listed as open
    rescan = new_scan(catalog)
    catalog.findings.record(
        model,
        ["modelfile"],
        [finding("modelfile", "dangerous-import", Severity.CRITICAL, "/lab/model.pkl")],
        rescan,
    )
    again = catalog.findings.get(critical.fingerprint)
    assert again.status is TriageStatus.ACCEPTED and again.present
    assert again.last_seen_scan == rescan
    assert critical.fingerprint not in {i.fingerprint for i in catalog.findings.all()}
    (event,) = catalog.findings.history(critical.fingerprint)
    assert (event.state, event.previous, event.actor) == (
        TriageStatus.ACCEPTED,
        TriageStatus.OPEN,
        "alice",
    )


def test_acceptance_needs_a_reason_and_expires(catalog: Catalog) -> None:
    seed(catalog)
    fp = catalog.findings.all()[0].fingerprint
    with pytest.raises(InputError, match="reason"):
        catalog.findings.accept([fp], reason=" ", actor="alice")
    (item,) = catalog.findings.accept(
        [fp], reason="until the fix ships", actor="alice", expires="2000-01-01T00:00:00+00:00"
    )
    assert item.status is TriageStatus.OPEN  # the acceptance has expired
    assert item.expires == "2000-01-01T00:00:00+00:00"


def test_fixed_is_reopened_when_found_again_and_kept_when_gone(catalog: Catalog) -> None:
    model, _ = seed(catalog)
    items = catalog.findings.all(FindingQuery(asset_ids=(model,)))
    critical, medium = items[0], items[1]
    catalog.findings.mark_fixed([critical.fingerprint, medium.fingerprint], actor="bob")
    assert catalog.findings.get(critical.fingerprint).status is TriageStatus.FIXED
    # the rescan still finds the critical one (reopened) but not the medium one (fixed, gone)
    rescan = new_scan(catalog)
    catalog.findings.record(model, ["modelfile"], [critical.finding], rescan)
    reopened = catalog.findings.get(critical.fingerprint)
    assert reopened.status is TriageStatus.OPEN and reopened.actor == f"scan {rescan}"
    gone = catalog.findings.get(medium.fingerprint)
    assert gone.status is TriageStatus.FIXED and not gone.present
    assert [e.state for e in catalog.findings.history(critical.fingerprint)] == [
        TriageStatus.FIXED,
        TriageStatus.OPEN,
    ]


def test_a_finding_no_longer_found_is_fixed_even_if_accepted(catalog: Catalog) -> None:
    model, _ = seed(catalog)
    medium = catalog.findings.all(FindingQuery(checks=("modelfile/unknown-import",)))[0]
    catalog.findings.accept([medium.fingerprint], reason="known", actor="alice")
    catalog.findings.record(model, ["modelfile"], [], new_scan(catalog))
    assert catalog.findings.get(medium.fingerprint).status is TriageStatus.FIXED
    counts = catalog.findings.counts()
    assert counts[(TriageStatus.FIXED, Severity.MEDIUM)] == 1
    assert sum(counts.values()) == 4


def test_reopen_and_unknown_refs(catalog: Catalog) -> None:
    seed(catalog)
    item = catalog.findings.all()[0]
    catalog.findings.accept([item.fingerprint], reason="r", actor="alice")
    (back,) = catalog.findings.reopen([item.fingerprint], actor="carol", reason="not sandboxed")
    assert back.status is TriageStatus.OPEN and back.reason == "not sandboxed"
    assert catalog.findings.resolve(item.fingerprint[:8]) == item.fingerprint
    assert catalog.findings.resolve(str(item.id)) == item.fingerprint
    with pytest.raises(InputError, match="no finding"):
        catalog.findings.resolve("zzzzzz")
    with pytest.raises(InputError, match="no finding"):
        catalog.findings.triage(
            [item.fingerprint, "0" * 32], TriageStatus.FIXED, reason="", actor="a"
        )
    # nothing of the failed decision was stored
    assert catalog.findings.get(item.fingerprint).status is TriageStatus.OPEN


def test_triage_is_kept_when_the_asset_is_removed_and_found_again(catalog: Catalog) -> None:
    model, _ = seed(catalog)
    item = catalog.findings.all(FindingQuery(asset_ids=(model,)))[0]
    catalog.findings.accept([item.fingerprint], reason="ok", actor="alice")
    path = catalog.path
    catalog.close()
    with sqlite3.connect(path) as conn:  # what removing the asset row does to its findings
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("DELETE FROM assets WHERE id = ?", (model,))
    with Catalog.open(Workspace(path.parent)) as reopened:
        assert reopened.findings.all(ALL) and item.fingerprint not in {
            i.fingerprint for i in reopened.findings.all(ALL)
        }
        again = add_asset(reopened, "/lab/model.pkl", AssetKind.MODEL)
        reopened.findings.record(again, ["modelfile"], [item.finding], new_scan(reopened))
        assert reopened.findings.get(item.fingerprint).status is TriageStatus.ACCEPTED
