"""``run_demo``: the lab scanned, and what matters first."""

from __future__ import annotations

from pathlib import Path

from labwarden.core.workspace import Workspace
from labwarden.demo.run import run_demo


def test_demo_puts_the_malicious_pickle_first(tmp_path: Path) -> None:
    context = run_demo(tmp_path / "lab", Workspace(tmp_path / "lab" / ".labwarden"))
    try:
        first = context.sections[0].rows[0]
    finally:
        context.catalog.close()
    assert (first["level"], first["asset"]) == ("critical", "model docking-scorer.pkl")
    assert "posix.system" in first["why"]
