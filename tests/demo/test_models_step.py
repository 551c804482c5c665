"""The demo lab's models, as the model-file scanner sees them: one critical pickle, no other
high finding."""

from __future__ import annotations

from pathlib import Path

from labwarden.checks.modelfile import ModelFileCheck
from labwarden.checks.standalone import inspect_paths
from labwarden.core.values import Severity
from labwarden.demo.lab import Lab


def test_demo_lab_models(demo_lab: Lab) -> None:
    result = inspect_paths([str(demo_lab.root / "models")], [ModelFileCheck()])
    assert result.errors == []
    serious = [f for f in result.findings if f.severity >= Severity.HIGH]
    assert [Path(f.location.path).name for f in serious] == ["docking-scorer.pkl"]
    assert serious[0].severity is Severity.CRITICAL
    assert serious[0].evidence["callable"] == "posix.system"
