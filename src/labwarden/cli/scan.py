"""``labwarden scan PATH...``: inventory, classify and check."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from labwarden.checks.registry import all_checks
from labwarden.cli.state import STATE, FailOn, FailOnOpt, digest_algorithm, stderr
from labwarden.core.errors import ExitCode, InputError
from labwarden.identity.posture.check import source_checks
from labwarden.inventory.policy import Policy, workspace_policy
from labwarden.inventory.scan import ScanResult, run_scan
from labwarden.inventory.sources.choose import after_scan, choose_source
from labwarden.inventory.sources.interface import Source
from labwarden.report.jsonstream import write_json
from labwarden.report.overview import priorities
from labwarden.report.tabular import OutputFormat, human_size, render_rows
from labwarden.seal.hashing import Algorithm
from labwarden.store.catalog import Catalog
from labwarden.store.findings import FindingQuery, StoredFinding


def scan(
    paths: Annotated[
        list[str],
        typer.Argument(help="Folders or files, or one s3://bucket/prefix.", show_default=False),
    ],
    digest: Annotated[
        str, typer.Option("--digest", help="Content digest: blake3 or sha256.")
    ] = "blake3",
    policy: Annotated[
        Path | None,
        typer.Option("--policy", help="Sensitivity policy (default: the workspace's policy.toml)."),
    ] = None,
    recheck: Annotated[
        bool, typer.Option("--recheck", help="Run the checks on unchanged assets too.")
    ] = False,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.TABLE
    ),
    fail_on: FailOnOpt = FailOn.HIGH,
    checks: Annotated[
        bool, typer.Option("--checks/--no-checks", help="Run the checks (off: inventory only).")
    ] = True,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Progress bar on stderr.")
    ] = True,
    endpoint_url: Annotated[
        str | None,
        typer.Option("--endpoint-url", help="S3-compatible endpoint (MinIO, Ceph...)."),
    ] = None,
) -> None:
    """Find and classify models, datasets, code, logs and credentials; run the checks."""
    algorithm = digest_algorithm(digest)
    for path in paths:  # before the workspace is created: a typo creates nothing
        if "://" not in path and not os.path.lexists(path):
            raise InputError(f"{path}: no such file or folder")
    workspace = STATE.writable()
    rules = workspace_policy(workspace.policy_path, policy)
    source = choose_source(paths, exclude=rules.exclude, endpoint_url=endpoint_url)
    with Catalog.open(workspace) as catalog:
        result = _run(catalog, source, rules, algorithm, recheck, progress, checks)
        after_scan(catalog, source, result.scan_id)
        top = priorities(catalog)
        listed_with = str(getattr(source, "listed_with", ""))
        open_findings = catalog.findings.all(FindingQuery(under=tuple(source.roots)))
        if fmt is OutputFormat.JSON:  # written item by item: a big bucket has many findings
            head = {
                "scan_id": result.scan_id,
                "stats": result.stats(),
                "priorities": [p.to_dict() for p in top],
            }
            if listed_with:  # an object store's listing (ListObjectsV2 or ListObjectVersions)
                head["listed_with"] = listed_with
            lists = {
                "notes": (
                    {"path": n.path, "action": n.action, "reason": n.reason} for n in result.notes
                ),
                "findings": (f.to_dict() for f in open_findings),
                "checked_findings": (f.to_dict() for f in result.findings),
            }
            write_json(sys.stdout, head, lists)
        else:
            rows = [p.to_dict() for p in top]
            if rows:
                render_rows(
                    rows,
                    ["rank", "level", "asset_id", "asset", "why"],
                    fmt,
                    sys.stdout,
                    title="Look at these first",
                )
        if listed_with:
            stderr.print(f"{source.roots[0]}: listed with {listed_with}", markup=False)
        _summary(result, catalog, open_findings)
    if fail_on.reached(f.finding.severity for f in open_findings):
        raise typer.Exit(int(ExitCode.FINDINGS))


def _run(
    catalog: Catalog,
    source: Source,
    rules: Policy,
    algorithm: Algorithm,
    recheck: bool,
    show: bool,
    with_checks: bool,
) -> ScanResult:
    columns = (
        SpinnerColumn(),
        TextColumn("scanning"),
        BarColumn(bar_width=None),
        TextColumn("{task.fields[files]:,} files, {task.fields[size]} read"),
        TimeElapsedColumn(),
    )
    with Progress(
        *columns, console=stderr, transient=True, disable=not (show and stderr.is_terminal)
    ) as bar:
        task = bar.add_task("scan", total=None, files=0, size=human_size(0))

        def update(files: int, size: int) -> None:
            bar.update(task, completed=size, files=files, size=human_size(size))

        return run_scan(
            catalog,
            source,
            rules,
            algorithm=algorithm,
            checks=[*all_checks(), *source_checks(source)] if with_checks else [],
            recheck=recheck,
            on_progress=update,
            opener=getattr(source, "open_record", None),
        )


def _summary(result: ScanResult, catalog: Catalog, open_findings: list[StoredFinding]) -> None:
    by_kind: dict[str, int] = {}
    by_level: dict[str, int] = {}
    for (kind, level), count in result.asset_counts.items():
        by_kind[kind] = by_kind.get(kind, 0) + count
        by_level[level] = by_level.get(level, 0) + count
    stderr.print(
        f"scan {result.scan_id}: {result.files_total} files "
        f"({result.files_new} new, {result.files_changed} changed, "
        f"{result.files_unchanged} unchanged, {result.files_deleted} deleted), "
        f"{human_size(result.bytes_read)} read"
    )
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(by_kind.items(), key=lambda kv: -kv[1]))
    levels = ", ".join(f"{n} {k}" for k, n in by_level.items())
    total = sum(result.asset_counts.values())
    stderr.print(f"assets in catalog: {total} ({kinds}); {levels}")
    if result.asset_changes:
        changes = ", ".join(f"{n} {c}" for c, n in sorted(result.asset_changes.items()))
        stderr.print(f"asset changes: {changes}")
    skipped = [n for n in result.notes if n.action == "skipped"]
    if result.notes:
        stderr.print(f"{len(skipped)} entries skipped, {len(result.notes) - len(skipped)} noted:")
        for note in result.notes[:10]:
            stderr.print(f"  {note.action}: {note.path}: {note.reason}", markup=False)
        if len(result.notes) > 10:
            stderr.print(
                f"  ... {len(result.notes) - 10} more in the catalog (scan {result.scan_id})"
            )
    if open_findings:
        counts: dict[str, int] = {}
        for item in open_findings:
            counts[item.finding.severity.value] = counts.get(item.finding.severity.value, 0) + 1
        shown = ", ".join(f"{n} {s}" for s, n in counts.items())
        stderr.print(
            f"open findings under these paths: {shown} (`labwarden findings` lists them; "
            "accepted and fixed ones are not counted)",
            markup=False,
        )
    for error in result.check_errors:
        stderr.print(Text.assemble(("check error", "red"), ": ", error))
    stderr.print(f"catalog: {catalog.path}", markup=False)
