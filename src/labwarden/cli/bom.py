"""``labwarden bom``: the inventory as a CycloneDX 1.6 JSON BOM."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from labwarden.cli.state import STATE, output_stream, stderr
from labwarden.core.asset import FileRecord
from labwarden.core.values import AssetKind, Sensitivity
from labwarden.store.assets import StoredAsset

if TYPE_CHECKING:
    from labwarden.report.cyclonedx_dependencies import AssetDependencies


def bom(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    kind: Annotated[
        list[AssetKind] | None, typer.Option("--kind", "-k", help="Only these kinds (repeatable).")
    ] = None,
    min_sensitivity: Annotated[
        Sensitivity | None,
        typer.Option("--min-sensitivity", help="Only assets at least this sensitive."),
    ] = None,
    with_dependencies: Annotated[
        bool,
        typer.Option(
            "--dependencies/--no-dependencies",
            help="List the packages and images that code assets depend on.",
        ),
    ] = True,
    osv_db: Annotated[
        Path | None,
        typer.Option(
            "--osv-db",
            help="OSV exports to match dependencies against (default: the workspace's osv/).",
        ),
    ] = None,
) -> None:
    """Export the asset inventory as CycloneDX 1.6 JSON (models, datasets, code, files), with
    the dependencies of code assets and their known vulnerabilities."""
    from labwarden.report.cyclonedx import build_bom  # cyclonedx-python-lib is slow to import

    with STATE.reader() as catalog:
        selected = [
            (asset, catalog.files.of_asset(asset.id))
            for asset in catalog.assets.find()
            if (not kind or asset.kind in kind)
            and (min_sensitivity is None or asset.sensitivity >= min_sensitivity)
        ]
    found = _dependencies(selected, osv_db) if with_dependencies else []
    document = build_bom(selected, dependencies=found)
    if with_dependencies:
        count = len(document.get("components", [])) - len(selected)
        stderr.print(f"{count} dependencies of code assets", markup=False)
    with output_stream(output) as out:
        json.dump(document, out, indent=2)
        out.write("\n")
    if output is not None:
        stderr.print(f"wrote {len(selected)} components to {output}", markup=False)


def _dependencies(
    selected: list[tuple[StoredAsset, list[FileRecord]]], osv: Path | None
) -> list[AssetDependencies]:
    from labwarden.checks.code import dependencies, vulnerable
    from labwarden.checks.code.osv import load_cached
    from labwarden.report.cyclonedx_dependencies import AssetDependencies

    if osv is None and (STATE.resolve().root / "osv").is_dir():
        osv = STATE.resolve().root / "osv"
    database = load_cached(osv) if osv is not None else None
    found = []
    for asset, files in selected:
        if asset.kind is not AssetKind.CODE:
            continue
        deps = dependencies(files)
        if deps:
            affected = [(m.dependency, m.vulnerability) for m in vulnerable(deps, database)]
            found.append(AssetDependencies(f"labwarden:asset:{asset.id}", deps, affected))
    return found
