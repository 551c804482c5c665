"""``labwarden inspect models|...``: run one check over paths, no workspace needed.

Each sub-command is a thin wrapper around :func:`run_inspection`; checks with options of their
own add them in their sub-command.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from labwarden.checks.interface import Check
from labwarden.checks.standalone import inspect_paths
from labwarden.cli.state import FailOn, FailOnOpt, output_stream, stderr
from labwarden.core.errors import ExitCode, InputError
from labwarden.report.findings import FindingFormat, render_findings

app = typer.Typer(help="Inspect files and folders with one check, without a workspace.")

PathsArg = Annotated[list[Path], typer.Argument(help="Files or folders.", show_default=False)]
FormatOpt = Annotated[FindingFormat, typer.Option("--format", "-f", help="table, json or sarif.")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
]


def run_inspection(
    checks: list[Check],
    paths: list[Path],
    fmt: FindingFormat,
    fail_on: FailOn,
    output: Path | None,
) -> None:
    """Inspect ``paths`` with ``checks``, print the report, and exit 1 at ``fail_on``."""
    missing = [p for p in paths if not os.path.lexists(p)]
    for path in missing:
        stderr.print(f"error: {path}: no such file or folder", markup=False)
    present = [p for p in paths if p not in missing]
    if not present:
        raise InputError("nothing to inspect: no path given exists")
    result = inspect_paths([str(p) for p in present], checks)
    base = present[0].absolute() if len(present) == 1 and present[0].is_dir() else None
    with output_stream(output) as out:
        render_findings(result.findings, fmt, out if output else sys.stdout, base=base)
    for note in result.notes:
        stderr.print(f"{note.action}: {note.path}: {note.reason}", markup=False)
    for error in result.errors:
        stderr.print(Text.assemble(("error", "red"), ": ", error))
    counts: dict[str, int] = {}
    for finding in result.findings:
        counts[finding.severity.value] = counts.get(finding.severity.value, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in counts.items()) or "no findings"
    stderr.print(f"{result.files} files in {len(result.assets)} assets: {summary}", markup=False)
    if missing:  # the report is incomplete: an input error, even with findings
        raise typer.Exit(int(ExitCode.USAGE))
    if fail_on.reached(f.severity for f in result.findings):
        raise typer.Exit(int(ExitCode.FINDINGS))


@app.command("models")
def models(
    paths: PathsArg,
    fmt: FormatOpt = FindingFormat.TABLE,
    fail_on: FailOnOpt = FailOn.HIGH,
    output: OutputOpt = None,
    allowlist: Annotated[
        list[Path] | None,
        typer.Option(
            "--allowlist",
            help='Extra allowlist TOML, [section] names = ["pkg.mod.Class", "pkg.*"] (repeatable).',
        ),
    ] = None,
    denylist: Annotated[
        list[Path] | None,
        typer.Option(
            "--denylist",
            help="Extra denylist TOML: [section] reason, severity, names (repeatable).",
        ),
    ] = None,
) -> None:
    """Find malicious and unsafe model files without loading them.

    Pickle (0-5, joblib, dill, cloudpickle), PyTorch, NumPy, Keras, TF SavedModel, ONNX, GGUF,
    safetensors, skops, chat templates, and the zip/tar/7z/gzip files they travel in.
    """
    from labwarden.checks.modelfile import ModelFileCheck

    check = ModelFileCheck(allowlists=allowlist or [], denylists=denylist or [], thorough=True)
    check.policy  # noqa: B018  (load the lists now: a bad list file is a usage error)
    run_inspection([check], paths, fmt, fail_on, output)


BaselineOpt = Annotated[
    Path | None,
    typer.Option(
        "--baseline",
        help="Accepted secrets (JSON); default: the workspace's secrets-baseline.json if any.",
    ),
]


@app.command("secrets")
def secrets(
    paths: PathsArg,
    fmt: FormatOpt = FindingFormat.TABLE,
    fail_on: FailOnOpt = FailOn.HIGH,
    output: OutputOpt = None,
    baseline: BaselineOpt = None,
    update_baseline: Annotated[
        bool,
        typer.Option("--update-baseline", help="Accept every secret found now into the baseline."),
    ] = False,
    no_baseline: Annotated[
        bool, typer.Option("--no-baseline", help="Report baselined secrets too.")
    ] = False,
) -> None:
    """Credentials in code, notebooks, configs, .env files, logs and tables (values redacted)."""
    from labwarden.checks.secrets import SecretsCheck
    from labwarden.checks.secrets.accept import write_baseline
    from labwarden.checks.secrets.baseline import BASELINE_NAME, Baseline
    from labwarden.cli.state import STATE

    where = baseline
    if where is None and (update_baseline or STATE.workspace):
        where = STATE.resolve().root / BASELINE_NAME
    if update_baseline:
        assert where is not None
        count, errors = write_baseline(where, [str(p) for p in paths])
        for error in errors:
            stderr.print(Text.assemble(("error", "red"), ": ", error))
        stderr.print(f"{count} secrets accepted into {where}", markup=False)
        return
    if no_baseline:
        check = SecretsCheck(use_workspace_baseline=False)
    elif where is not None:
        check = SecretsCheck(Baseline.load(where))
    else:
        check = SecretsCheck()
    run_inspection([check], paths, fmt, fail_on, output)


@app.command("pii")
def pii(
    paths: PathsArg,
    fmt: FormatOpt = FindingFormat.TABLE,
    fail_on: FailOnOpt = FailOn.HIGH,
    output: OutputOpt = None,
    region: Annotated[
        list[str] | None,
        typer.Option("--region", help="Phone region for numbers without +country (repeat)."),
    ] = None,
    min_confidence: Annotated[
        float | None, typer.Option("--min-confidence", help="Report spans from this 0-1 score.")
    ] = None,
) -> None:
    """Personal and health data: table columns, and entities in logs and documents.

    Settings come from the workspace policy's [pii] table when --workspace is given; --region
    and --min-confidence override them.
    """
    from dataclasses import replace

    from labwarden.checks.pii import PiiCheck
    from labwarden.checks.pii.settings import parse_settings, workspace_settings
    from labwarden.cli.state import STATE

    settings = workspace_settings(STATE.resolve().root if STATE.workspace else None)
    overrides = parse_settings(
        {"regions": region or list(settings.regions), "min_confidence": min_confidence or 0.5},
        "command line",
    )
    settings = replace(
        settings,
        regions=overrides.regions,
        min_confidence=overrides.min_confidence
        if min_confidence is not None
        else settings.min_confidence,
    )
    run_inspection([PiiCheck(settings)], paths, fmt, fail_on, output)


@app.command("permissions")
def permissions(
    paths: PathsArg,
    fmt: FormatOpt = FindingFormat.TABLE,
    fail_on: FailOnOpt = FailOn.HIGH,
    output: OutputOpt = None,
    owner: Annotated[
        list[str] | None,
        typer.Option("--owner", help="An expected owner (repeat); others are reported."),
    ] = None,
) -> None:
    """Readable keys and restricted data, world-writable models, unexpected owners."""
    from labwarden.checks.permissions import PermissionsCheck

    run_inspection([PermissionsCheck(owner or ())], paths, fmt, fail_on, output)


@app.command("code")
def code(
    paths: PathsArg,
    fmt: FormatOpt = FindingFormat.TABLE,
    fail_on: FailOnOpt = FailOn.HIGH,
    output: OutputOpt = None,
    osv_db: Annotated[
        Path | None,
        typer.Option(
            "--osv-db",
            help="Folder of OSV exports (e.g. PyPI/all.zip) to match dependencies against.",
        ),
    ] = None,
) -> None:
    """Unsafe model/data loading, unpinned hub pulls, dependencies and their known
    vulnerabilities, and container images in training code (read, never run)."""
    from labwarden.checks.code import CodeCheck
    from labwarden.checks.code.osv import load_cached

    if osv_db is not None:
        load_cached(osv_db)  # a bad database is a usage error, before any file is read
    run_inspection([CodeCheck(osv_db)], paths, fmt, fail_on, output)
