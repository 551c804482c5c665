"""The SQLite catalog: migrations, WAL sharing, lookups and the findings lifecycle."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from labwarden.core.errors import InputError, WorkspaceError
from labwarden.core.finding import Finding, Location
from labwarden.core.values import AssetKind, Sensitivity, Severity
from labwarden.core.workspace import Workspace, locate
from labwarden.store.assets import AssetChange
from labwarden.store.catalog import Catalog
from labwarden.store.migrate import latest_version


def add_asset(catalog: Catalog, uri: str, name: str) -> int:
    scan = catalog.scans.start([uri], "blake3")
    return catalog.assets.save(
        AssetChange(
            uri=uri,
            name=name,
            kind=AssetKind.MODEL,
            grouping="file",
            sensitivity=Sensitivity.CONFIDENTIAL,
            reasons=[],
            formats=["pickle"],
            file_paths=[],
            size=0,
            content_digest="d",
        ),
        scan,
        "added",
        {},
    )


def test_new_catalog_is_migrated_and_in_wal_mode(workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        assert catalog.schema_version == latest_version()
        assert catalog.journal_mode == "wal"
    assert workspace.lake_path.is_dir()


def test_newer_schema_is_refused(workspace: Workspace) -> None:
    Catalog.open(workspace).close()
    with sqlite3.connect(workspace.catalog_path) as conn:
        conn.execute(f"PRAGMA user_version = {latest_version() + 5}")
    with pytest.raises(WorkspaceError, match="newer than this labwarden"):
        Catalog.open(workspace)


def test_not_a_database_is_a_clear_error(workspace: Workspace) -> None:
    workspace.ensure()
    workspace.catalog_path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(WorkspaceError, match="not a usable labwarden catalog"):
        Catalog.open(workspace)


def test_readers_see_committed_writes_while_a_writer_is_open(workspace: Workspace) -> None:
    writer = Catalog.open(workspace)
    reader = Catalog.open(workspace)
    add_asset(writer, "/lab/a.pkl", "a.pkl")
    with pytest.raises(RuntimeError), writer.transaction():
        add_asset(writer, "/lab/b.pkl", "b.pkl")  # uncommitted while the reader reads
        assert [a.name for a in reader.assets.find()] == ["a.pkl"]
        raise RuntimeError("roll back")
    writer.close()
    reader.close()


def test_get_asset_by_id_uri_or_unique_name(workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        first = add_asset(catalog, "/lab/a/model.pkl", "model.pkl")
        add_asset(catalog, "/lab/b/model.pkl", "model.pkl")
        assert catalog.assets.get(str(first)).uri == "/lab/a/model.pkl"
        assert catalog.assets.get("/lab/b/model.pkl").name == "model.pkl"
        with pytest.raises(InputError, match="ambiguous"):
            catalog.assets.get("model.pkl")
        with pytest.raises(InputError, match="no asset 'x'"):
            catalog.assets.get("x")


def test_findings_are_upserted_and_resolved_when_gone(workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        asset = add_asset(catalog, "/lab/m.pkl", "m.pkl")
        bad = Finding(
            "modelfile",
            "dangerous-import",
            Severity.CRITICAL,
            Location("/lab/m.pkl", offset=2),
            "os.system",
        )
        meh = Finding("modelfile", "unknown-import", Severity.MEDIUM, Location("/lab/m.pkl"), "x.y")
        catalog.findings.record(asset, ["modelfile"], [bad, meh], 1)
        catalog.findings.record(asset, ["modelfile"], [bad], 1)
        assert [f.rule for f in catalog.findings.find()] == ["dangerous-import"]
        assert len(catalog.findings.find(include_resolved=True)) == 2
        assert catalog.findings.find(min_severity=Severity.CRITICAL)[0].location.offset == 2


def test_findings_with_undecodable_text_are_stored_escaped(workspace: Workspace) -> None:
    # Strings a check took from a hostile file may hold lone surrogates (bytes that were not
    # UTF-8); SQLite refuses those, which used to stop the whole scan.
    with Catalog.open(workspace) as catalog:
        asset = add_asset(catalog, "/lab/m.pkl", "m.pkl")
        odd = Finding(
            "modelfile",
            "unknown-import",
            Severity.MEDIUM,
            Location("/lab/m.pkl", member="data\udc82.pkl"),
            "imports ev\udcffil.call",
            remediation="check \ud800 it",
        )
        catalog.findings.record(asset, ["modelfile"], [odd], 1)
        (stored,) = catalog.findings.find()
        assert stored.message == "imports ev\\udcffil.call"
        assert stored.location.member == "data\\udc82.pkl"


def test_workspace_is_found_upwards_like_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LABWARDEN_WORKSPACE", raising=False)
    ws = Workspace(tmp_path / ".labwarden")
    Catalog.open(ws).close()
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert locate(start=deep).root == ws.root
    monkeypatch.setenv("LABWARDEN_WORKSPACE", str(tmp_path / "elsewhere"))
    assert locate(start=deep).root == tmp_path / "elsewhere"
