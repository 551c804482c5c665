"""``labwarden bom``: the inventory as a CycloneDX 1.6 JSON BOM."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from labwarden.cli.state import STATE, output_stream, stderr
from labwarden.core.values import AssetKind, Sensitivity


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
) -> None:
    """Export the asset inventory as CycloneDX 1.6 JSON (models, datasets, code, files)."""
    from labwarden.report.cyclonedx import build_bom  # cyclonedx-python-lib is slow to import

    with STATE.catalog() as catalog:
        selected = [
            (asset, catalog.files.of_asset(asset.id))
            for asset in catalog.assets.find()
            if (not kind or asset.kind in kind)
            and (min_sensitivity is None or asset.sensitivity >= min_sensitivity)
        ]
    document = build_bom(selected)
    with output_stream(output) as out:
        json.dump(document, out, indent=2)
        out.write("\n")
    if output is not None:
        stderr.print(f"wrote {len(selected)} components to {output}", markup=False)
