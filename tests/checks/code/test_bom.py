"""Dependencies of code assets in ``labwarden bom``: components with package URLs, the
dependency graph and known vulnerabilities, valid against the CycloneDX 1.6 schema."""

from __future__ import annotations

import json
from pathlib import Path

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from typer.testing import CliRunner

from labwarden.checks.code.interface import Dependency
from labwarden.cli.app import app
from tests.checks.code.test_check import repository
from tests.checks.code.test_osv import build_db

HEX = "0123456789abcdef0123456789abcdef01234567"


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1), result.stderr
    return result.stdout


def test_bom_lists_dependencies_and_vulnerabilities(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo")
    (root / "uv.lock").write_text(
        'version = 1\n[[package]]\nname = "numpy"\nversion = "1.21.5"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
        f'sdist = {{ url = "https://files/numpy.tar.gz", hash = "sha256:{"c" * 64}" }}\n'
        '[[package]]\nname = "lib"\nversion = "0.1"\n'
        f'source = {{ git = "https://github.com/org/lib.git?rev=main#{HEX}" }}\n'
    )
    workspace = tmp_path / ".labwarden"
    cli("--workspace", str(workspace), "scan", str(root))
    build_db(workspace / "osv")  # found without --osv-db
    document = json.loads(cli("--workspace", str(workspace), "bom"))
    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(document))
    assert errors is None, errors

    libraries = {c["purl"]: c for c in document["components"] if c["type"] == "library"}
    assert set(libraries) == {
        "pkg:pypi/torch@2.1.0",
        "pkg:pypi/transformers@4.36.0",
        "pkg:pypi/reqeusts",
        "pkg:pypi/numpy@1.21.5",
        "pkg:pypi/lib@0.1",
    }
    numpy = libraries["pkg:pypi/numpy@1.21.5"]
    assert numpy["hashes"] == [{"alg": "SHA-256", "content": "c" * 64}]
    assert any(p["value"].endswith("uv.lock:3") for p in numpy["properties"])
    assert libraries["pkg:pypi/lib@0.1"]["externalReferences"][0]["type"] == "vcs"
    (image,) = [c for c in document["components"] if c["type"] == "container"]
    assert image["purl"] == "pkg:docker/python@3.11"

    (code,) = [c for c in document["components"] if c["type"] == "application"]
    graph = {d["ref"]: d.get("dependsOn", []) for d in document["dependencies"]}
    assert set(graph[code["bom-ref"]]) == {c["bom-ref"] for c in [*libraries.values(), image]}

    vulns = {v["id"]: v for v in document["vulnerabilities"]}
    assert set(vulns) == {"GHSA-torch-0001", "PYSEC-trf-0002", "GHSA-np-0003"}
    torch = vulns["GHSA-torch-0001"]
    assert torch["affects"] == [
        {
            "ref": libraries["pkg:pypi/torch@2.1.0"]["bom-ref"],
            "versions": [{"version": "2.1.0", "status": "affected"}],
        }
    ]
    assert torch["ratings"] == [{"severity": "critical"}]
    assert torch["references"] == [{"id": "CVE-2025-32434", "source": {"name": "OSV"}}]
    assert "2.6.0" in torch["recommendation"]
    trf = vulns["PYSEC-trf-0002"]["ratings"][0]
    assert trf["method"] == "CVSSv31" and trf["score"] == 8.8


def test_bom_without_dependencies(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo")
    workspace = tmp_path / ".labwarden"
    cli("--workspace", str(workspace), "scan", str(root))
    document = json.loads(cli("--workspace", str(workspace), "bom", "--no-dependencies"))
    assert {c["type"] for c in document["components"]} <= {"application", "file"}
    assert "vulnerabilities" not in document


def test_purl_encoding() -> None:
    assert Dependency("Torch", "PyPI", "f", 1, version="2.1.0+cu121").purl == (
        "pkg:pypi/torch@2.1.0%2Bcu121"
    )
    digest = "sha256:" + "a" * 64
    assert Dependency("nvcr.io/nvidia/pytorch", "docker", "f", 1, version=digest).purl == (
        f"pkg:docker/nvcr.io/nvidia/pytorch@sha256%3A{'a' * 64}"
    )
