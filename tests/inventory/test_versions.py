"""Object versions and delete markers as catalog history, against a real S3 API (moto's
server): what was overwritten, deleted (still recoverable) and purged for good."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from labwarden.core.errors import InputError
from labwarden.core.workspace import Workspace
from labwarden.inventory.policy import default_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.choose import after_scan, choose_source
from labwarden.inventory.versions import object_history
from labwarden.store.catalog import Catalog
from tests.s3server import CREDENTIALS, client


def _scan(catalog: Catalog, url: str, endpoint: str) -> int:
    source = choose_source([url], endpoint_url=endpoint)
    result = run_scan(catalog, source, default_policy())
    after_scan(catalog, source, result.scan_id)
    return result.scan_id


def _bucket(endpoint: str) -> tuple[Any, str]:
    s3 = client(endpoint)
    name = f"lab-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return s3, name


def _history_of_a_breach(s3: Any, name: str, endpoint: str, catalog: Catalog) -> dict[str, str]:
    """Two scans around an intruder who overwrote a model file, deleted a dataset and purged a
    version of the training code."""
    first = s3.put_object(Bucket=name, Key="models/lm/weights.bin", Body=b"good weights")
    s3.put_object(Bucket=name, Key="data/dm.csv", Body=b"USUBJID,AGE\nS1,40\n")
    code = s3.put_object(Bucket=name, Key="code/train.py", Body=b"print('v1')\n")
    s3.put_object(Bucket=name, Key="code/train.py", Body=b"print('v2')\n")
    _scan(catalog, f"s3://{name}", endpoint)
    second = s3.put_object(Bucket=name, Key="models/lm/weights.bin", Body=b"trojaned weights")
    s3.delete_object(Bucket=name, Key="data/dm.csv")
    s3.delete_object(Bucket=name, Key="code/train.py", VersionId=code["VersionId"])
    _scan(catalog, f"s3://{name}", endpoint)
    return {"good": first["VersionId"], "bad": second["VersionId"], "purged": code["VersionId"]}


def test_versions_markers_and_purges_are_kept(s3_endpoint: str, workspace: Workspace) -> None:
    s3, name = _bucket(s3_endpoint)
    with Catalog.open(workspace) as catalog:
        ids = _history_of_a_breach(s3, name, s3_endpoint, catalog)
        everything = object_history(catalog, f"s3://{name}")
        weights = object_history(catalog, f"s3://{name}/models/lm/weights.bin")
        deleted = object_history(catalog, f"s3://{name}", deleted=True)
        code = object_history(catalog, f"s3://{name}/code/")
    assert everything.counts == {
        "objects": 3,
        "versions": 5,
        "delete_markers": 1,
        "deleted_objects": 1,
    }
    # newest first: the intruder's version is current, the good one is still there
    assert [(v.row.version_id, v.row.is_latest) for v in weights.versions] == [
        (ids["bad"], True),
        (ids["good"], False),
    ]
    assert [r["state"] for r in weights.rows()] == ["current", "older version"]
    assert [(v.row.key, v.row.delete_marker) for v in deleted.versions] == [
        ("data/dm.csv", True),
        ("data/dm.csv", False),
    ]
    purged = next(v for v in code.versions if v.row.version_id == ids["purged"])
    assert purged.gone_in_scan == purged.last_seen_scan + 1
    assert "purged (not listed by scan" in next(
        r["state"] for r in code.rows() if r["version_id"] == ids["purged"]
    )
    assert [v.gone_in_scan for v in code.versions if v.row.version_id != ids["purged"]] == [None]


def test_a_prefix_scan_does_not_purge_what_it_did_not_list(
    s3_endpoint: str, workspace: Workspace
) -> None:
    s3, name = _bucket(s3_endpoint)
    s3.put_object(Bucket=name, Key="models/a.bin", Body=b"a")
    s3.put_object(Bucket=name, Key="data/b.csv", Body=b"x,y\n1,2\n")
    with Catalog.open(workspace) as catalog:
        _scan(catalog, f"s3://{name}", s3_endpoint)
        _scan(catalog, f"s3://{name}/models/", s3_endpoint)
        data = object_history(catalog, f"s3://{name}/data/")
    assert [v.gone_in_scan for v in data.versions] == [None]


def test_unknown_locations_are_clear_errors(s3_endpoint: str, workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        with pytest.raises(InputError, match="no object versions in the catalog; scan it"):
            object_history(catalog, "s3://never-scanned/x")
        with pytest.raises(InputError, match="give an s3://bucket/prefix URL"):
            object_history(catalog, "gs://bucket/x")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "labwarden", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **CREDENTIALS},
        check=False,
    )


def test_cli_lists_versions_of_a_bucket_and_of_an_asset(s3_endpoint: str, tmp_path: Path) -> None:
    s3, name = _bucket(s3_endpoint)
    ws = tmp_path / "ws"
    with Catalog.open(Workspace(ws)) as catalog:
        _history_of_a_breach(s3, name, s3_endpoint, catalog)
    listed = _run("-w", str(ws), "assets", "versions", f"s3://{name}", "--deleted", "-f", "json")
    assert listed.returncode == 0, listed.stderr
    document = json.loads(listed.stdout)
    assert document["counts"]["deleted_objects"] == 1
    assert {v["key"] for v in document["versions"]} == {"data/dm.csv"}
    table = _run("-w", str(ws), "assets", "versions", f"s3://{name}/models/")
    assert table.returncode == 0 and "older version" in table.stdout
    assets = json.loads(_run("-w", str(ws), "assets", "-f", "json").stdout)
    model = next(a for a in assets if a["uri"].startswith(f"s3://{name}/models/"))
    shown = json.loads(_run("-w", str(ws), "assets", "show", str(model["id"]), "-f", "json").stdout)
    assert shown["object_versions"]["versions"] == 2
    by_id = _run("-w", str(ws), "assets", "versions", str(model["id"]), "-f", "csv")
    assert by_id.returncode == 0 and by_id.stdout.count("models/lm/weights.bin") == 2
    missing = _run("-w", str(ws), "assets", "versions", "s3://nothing-here")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
