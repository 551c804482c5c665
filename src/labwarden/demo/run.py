"""The demo job: build the lab, scan it, and collect what a user should look at.

Each step (:mod:`labwarden.demo.steps`) reads the :class:`DemoContext` and adds sections that
the CLI prints in order; a new capability adds its step to :func:`_steps`.
"""

from __future__ import annotations

from pathlib import Path

from labwarden.checks.registry import all_checks
from labwarden.core.workspace import Workspace
from labwarden.demo.context import DemoContext, Section, Step
from labwarden.demo.lab import build_lab
from labwarden.demo.steps.incident import incident_step
from labwarden.demo.steps.privacy import privacy_step
from labwarden.demo.steps.seals import seal_step
from labwarden.demo.steps.triage import triage_step
from labwarden.demo.steps.watch import watch_step
from labwarden.inventory.policy import workspace_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.local import LocalSource
from labwarden.report.overview import priorities
from labwarden.store.catalog import Catalog

__all__ = ["DemoContext", "Section", "run_demo"]


def _steps() -> list[Step]:
    """The demo steps after the scan, in order."""
    return [privacy_step, seal_step, watch_step, triage_step, incident_step]


def run_demo(root: Path, workspace: Workspace, *, force: bool = False) -> DemoContext:
    """Build the lab under ``root``, scan it into ``workspace`` and run every demo step."""
    lab = build_lab(root, force=force)
    workspace.ensure()
    policy = workspace_policy(workspace.policy_path)
    source = LocalSource([str(lab.root)], exclude=policy.exclude)
    catalog = Catalog.open(workspace)
    result = run_scan(catalog, source, policy, checks=all_checks())
    context = DemoContext(lab, workspace, catalog, result)
    _overview(context)
    for step in _steps():
        step(context)
    return context


def _overview(context: DemoContext) -> None:
    rows = [p.to_dict() for p in priorities(context.catalog)]
    context.sections.append(
        Section("Look at these first", ["rank", "level", "asset_id", "asset", "why"], rows)
    )
    by_kind = context.catalog.assets.counts()
    context.sections.append(
        Section(
            "Assets by kind and sensitivity",
            ["kind", "sensitivity", "assets"],
            [
                {"kind": k, "sensitivity": s, "assets": n}
                for (k, s), n in sorted(by_kind.items(), key=lambda kv: (kv[0][0], kv[0][1]))
            ],
        )
    )
    ws = context.workspace_option
    # every printed line must run as it is: the asset to look at first, not a placeholder
    first = next((r["asset_id"] for r in rows if r["asset_id"] is not None), "protein-lm-v3")
    context.next_commands.extend(
        [
            f"labwarden {ws} assets --sensitivity restricted",
            f"labwarden {ws} assets show {first}",
            f"labwarden {ws} bom --output lab-bom.json",
        ]
    )
