"""The code check on a training repository, standalone and through ``labwarden inspect code``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from labwarden.checks.code import CodeCheck, dependencies, vulnerable
from labwarden.checks.code.osv import OsvDatabase
from labwarden.checks.interface import CheckContext
from labwarden.checks.registry import all_checks
from labwarden.checks.standalone import inspect_paths
from labwarden.cli.app import app
from tests.checks.code.test_osv import build_db


def repository(root: Path) -> Path:
    """A small training repository with one problem of each kind."""
    (root / "src").mkdir(parents=True)
    (root / ".git").mkdir()  # a repository: one code asset
    (root / "src" / "train.py").write_text(
        "import torch as t\nfrom transformers import AutoModel\n"
        "def main(p):\n    m = AutoModel.from_pretrained('org/llm', trust_remote_code=True)\n"
        "    return t.load(p)\n"
    )
    (root / "requirements.txt").write_text("-r requirements-base.txt\ntorch==2.1.0\nreqeusts\n")
    (root / "requirements-base.txt").write_text("transformers==4.36.0\n")
    (root / "Dockerfile").write_text("FROM python:3.11\nRUN pip install -r requirements.txt\n")
    (root / "README.md").write_text("# trainer\n")
    return root


def test_findings_of_a_repository(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo")
    result = inspect_paths([str(root)], [CodeCheck()])
    found = sorted((Path(f.location.path).name, f.rule, f.location.line) for f in result.findings)
    assert found == [
        ("Dockerfile", "image-unpinned", 1),
        ("requirements-base.txt", "unhashed-requirement", 1),
        ("requirements.txt", "typosquat", 3),
        ("requirements.txt", "unhashed-requirement", 2),
        ("requirements.txt", "unpinned-requirement", 3),
        ("train.py", "trust-remote-code", 4),
        ("train.py", "unsafe-load-torch", 5),
    ]
    assert all(f.check == "code" and f.remediation for f in result.findings)


def test_vulnerabilities_with_a_database(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo")
    database = build_db(tmp_path / "osv")
    result = inspect_paths([str(root)], [CodeCheck(database)])
    vulns = sorted(
        (f.evidence["package"], f.evidence["id"], f.severity.value)
        for f in result.findings
        if f.rule == "known-vulnerability"
    )
    assert vulns == [
        ("torch", "GHSA-torch-0001", "critical"),
        ("transformers", "PYSEC-trf-0002", "high"),
    ]


def test_workspace_osv_folder_is_used(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo")
    workspace = tmp_path / ".labwarden"
    build_db(workspace / "osv")
    result = inspect_paths([str(root)], [CodeCheck()])
    assert not any(f.rule == "known-vulnerability" for f in result.findings)
    (asset,) = result.assets
    check = CodeCheck()
    findings = list(check.run(asset, CheckContext(workspace_root=workspace)))
    assert sum(f.rule == "known-vulnerability" for f in findings) == 2


def test_dependencies_as_data(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo")
    (asset,) = inspect_paths([str(root)], []).assets
    found = dependencies(asset.files)
    assert sorted(d.purl for d in found) == [
        "pkg:docker/python@3.11",
        "pkg:pypi/reqeusts",
        "pkg:pypi/torch@2.1.0",
        "pkg:pypi/transformers@4.36.0",
    ]
    database = OsvDatabase.load(build_db(tmp_path / "osv"))
    assert sorted(m.vulnerability.id for m in vulnerable(found, database)) == [
        "GHSA-torch-0001",
        "PYSEC-trf-0002",
    ]
    assert vulnerable(found, None) == []


def test_registered_for_scan() -> None:
    assert "code" in [check.name for check in all_checks()]


def test_unreadable_and_oversized_files_are_reported(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "ok.py").write_text("import pickle\npickle.loads(b)\n")
    target = root / "gone.py"
    target.write_text("x = 1\n")
    (asset,) = inspect_paths([str(root)], []).assets
    target.unlink()
    findings = list(CodeCheck().run(asset, CheckContext()))
    assert sorted((Path(f.location.path).name, f.rule) for f in findings) == [
        ("gone.py", "unreadable-file"),
        ("ok.py", "unsafe-load-pickle"),
    ]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["inspect", "code", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_cli_json_and_exit_codes(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo")
    code, out, err = invoke(str(root), "--format", "json")
    assert code == 1
    rules = {f["rule"] for f in json.loads(out)}
    assert {"trust-remote-code", "typosquat", "image-unpinned"} <= rules
    assert "5 files in 1 assets" in err or "files in" in err
    code, _, _ = invoke(str(root), "--fail-on", "never")
    assert code == 0
    code, out, _ = invoke(str(root), "--osv-db", str(build_db(tmp_path / "osv")), "-f", "json")
    assert code == 1 and "known-vulnerability" in {f["rule"] for f in json.loads(out)}


def test_cli_bad_database_exits_2(tmp_path: Path) -> None:
    """main() turns the InputError into its message on stderr and exit code 2 (run for real)."""
    root = repository(tmp_path / "repo")
    (tmp_path / "empty").mkdir()
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "labwarden",
            "inspect",
            "code",
            str(root),
            "--osv-db",
            str(tmp_path / "empty"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 2 and ran.stdout == ""
    assert "no OSV advisories" in ran.stderr and "Traceback" not in ran.stderr


def test_cli_sarif(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo")
    code, out, _ = invoke(str(root), "--format", "sarif")
    document = json.loads(out)
    results = document["runs"][0]["results"]
    assert code == 1 and any(r["ruleId"].endswith("trust-remote-code") for r in results)
