"""``labwarden triage``: collect a Linux host's evidence, hash and seal it, and judge it."""

from __future__ import annotations

import getpass
import json
import sys
from collections import Counter
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from labwarden.cli.state import STATE, FailOn, FailOnOpt, stderr
from labwarden.core.errors import ExitCode, InputError
from labwarden.core.values import Severity
from labwarden.core.workspace import Workspace
from labwarden.report.findings import FindingFormat, render_findings
from labwarden.report.tabular import human_size
from labwarden.respond.triage import TriageOptions, TriageResult, parse_since, run_triage
from labwarden.seal.errors import SealKeyError
from labwarden.seal.keys import PASSPHRASE_ENV, env_passphrase


class TriageFormat(str, Enum):
    """``--format`` of ``labwarden triage``."""

    TABLE = "table"
    JSON = "json"


def _passphrase() -> str:
    secret = env_passphrase()
    if secret is None and sys.stdin.isatty():
        secret = getpass.getpass("passphrase of the signing key: ")
    if not secret:
        raise SealKeyError(f"the signing key is encrypted: set {PASSPHRASE_ENV}")
    return secret


def _workspace() -> Workspace | None:
    """The workspace, only if it exists: triage creates nothing on the host but the archive."""
    workspace = STATE.resolve()
    return workspace if workspace.root.is_dir() else None


def _document(result: TriageResult) -> dict[str, Any]:
    acquisition = result.log
    return {
        "archive": str(result.archive.path),
        "archive_sha256": result.archive.sha256,
        "archive_size": result.archive.size,
        "sealed": result.sealed,
        "seal_files": [str(p) for p in result.seal_files],
        "case": acquisition.case,
        "examiner": acquisition.examiner,
        "host": acquisition.host,
        "mode": acquisition.mode,
        "since": acquisition.since,
        "started": acquisition.started,
        "ended": acquisition.ended,
        "artifacts": acquisition.artifacts,
        "events_stored": result.events_stored,
        "lake_error": result.lake_error,
        "notes": [
            {"where": n.where, "reason": n.reason, "kind": n.kind, "artifact": n.artifact}
            for n in acquisition.notes
        ],
        "findings": [f.to_dict() for f in result.findings],
    }


def _summary(result: TriageResult, workspace: Workspace | None) -> None:
    packed = result.archive
    files = sum(result.log.artifacts.values())
    stderr.print(
        f"evidence: {packed.path} ({files} files, {human_size(packed.size)}, "
        f"sha256 {packed.sha256[:16]}...)",
        markup=False,
    )
    stderr.print(result.sealed, markup=False)
    where = f"-w {workspace.root} " if workspace is not None else ""
    for seal in result.seal_files:
        stderr.print(f"  verify: labwarden {where}verify {packed.path} --seal {seal}", markup=False)
    kinds = Counter(n.kind for n in result.log.notes)
    if kinds:
        listed = ", ".join(f"{count} {kind}" for kind, count in kinds.most_common())
        stderr.print(f"notes: {listed} (evidence/acquisition.json lists them)", markup=False)
    if result.events_stored:
        stderr.print(f"events: {result.events_stored} stored in the lake (source triage)")
    if result.lake_error:
        stderr.print(f"events not stored: {result.lake_error}", markup=False)
    counts = Counter(f.severity.value for f in result.findings)
    order = [s.value for s in reversed(Severity)]
    summary = ", ".join(f"{counts[s]} {s}" for s in order if counts[s]) or "no findings"
    stderr.print(f"findings: {summary}", markup=False)


def triage(
    root: Annotated[
        Path | None,
        typer.Option("--root", help="Examine a mounted image or copied tree instead of this host."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="The evidence archive (.tar.gz; default triage-HOST-TIME.tar.gz here).",
        ),
    ] = None,
    since: Annotated[
        str, typer.Option("--since", help="Window of recent changes: 7d, 12h, 2w or a date.")
    ] = "7d",
    case: Annotated[str | None, typer.Option("--case", help="Case identifier.")] = None,
    examiner: Annotated[
        str | None, typer.Option("--examiner", help="Who collects (default: the user).")
    ] = None,
    fmt: Annotated[TriageFormat, typer.Option("--format", "-f", help="table or json.")] = (
        TriageFormat.TABLE
    ),
    fail_on: FailOnOpt = FailOn.HIGH,
    key: Annotated[
        str | None,
        typer.Option("--key", "-k", help="Workspace key that seals the evidence."),
    ] = None,
    scanners: Annotated[
        bool, typer.Option("--scanners", help="Also run chkrootkit and rkhunter if installed.")
    ] = False,
    commands: Annotated[
        bool,
        typer.Option("--commands/--no-commands", help="Run the read-only tools installed."),
    ] = True,
    lake: Annotated[
        bool,
        typer.Option("--lake/--no-lake", help="Store logins, processes and histories as events."),
    ] = True,
) -> None:
    """Collect a Linux host's evidence (or an image's with --root), hash and seal it, judge it."""
    threshold = fail_on.threshold
    options = TriageOptions(
        root=root,
        output=output,
        since=parse_since(since),
        case=case,
        examiner=examiner,
        scanners=scanners,
        commands=commands,
    )
    if root is not None and not root.is_dir():
        raise InputError(f"--root {root}: not a folder")
    workspace = _workspace()
    with stderr.status("collecting") as status:
        result = run_triage(
            options,
            workspace=workspace,
            key=key,
            passphrase=_passphrase,
            lake=lake,
            progress=lambda name: status.update(f"collecting {name}"),
        )
    if fmt is TriageFormat.JSON:
        typer.echo(json.dumps(_document(result), indent=2, default=str))
    else:
        render_findings(result.findings, FindingFormat.TABLE, sys.stdout, title="triage findings")
    _summary(result, workspace)
    if threshold is not None and any(f.severity >= threshold for f in result.findings):
        raise typer.Exit(int(ExitCode.FINDINGS))
