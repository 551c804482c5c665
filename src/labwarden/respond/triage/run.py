"""One triage run: collect, judge, write the evidence, seal it, pack it, feed the lake."""

from __future__ import annotations

import logging
import re
import shutil
import socket
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from labwarden.core.errors import InputError, LabwardenError
from labwarden.core.finding import Finding
from labwarden.core.workspace import Workspace
from labwarden.respond.triage import custody
from labwarden.respond.triage import lake as triage_lake
from labwarden.respond.triage.acquisition import AcquisitionLog, new_log, utc_text
from labwarden.respond.triage.archive import Packed, archive_name, pack, write_json
from labwarden.respond.triage.catalog import sensitive_paths
from labwarden.respond.triage.collect import Progress, collect
from labwarden.respond.triage.context import Context
from labwarden.respond.triage.evidence import Evidence
from labwarden.respond.triage.host import Host
from labwarden.respond.triage.model import Collected
from labwarden.respond.triage.options import TriageOptions
from labwarden.respond.triage.rules import evaluate
from labwarden.respond.triage.rules.base import View
from labwarden.seal.keys import PassphraseSource
from labwarden.store.atomic import atomic_write

log = logging.getLogger(__name__)


@dataclass(slots=True)
class TriageResult:
    """What a run produced."""

    archive: Packed
    findings: list[Finding]
    log: AcquisitionLog
    collected: Collected
    sealed: str
    """Which key sealed the evidence, or why it is not sealed."""
    seal_files: list[Path] = field(default_factory=list)
    events_stored: int = 0
    lake_error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)


def default_output(live: bool, root: Path | None, now: datetime) -> Path:
    """``triage-<host>-<UTC time>.tar.gz`` in the current folder."""
    name = socket.gethostname() if live else (root.name if root else "root")
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name) or "host"
    return Path.cwd() / f"triage-{name}-{now.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"


def _check(options: TriageOptions, output: Path) -> None:
    try:
        if options.root is not None and not options.root.is_dir():
            raise InputError(f"--root {options.root}: not a folder")
        if not output.name.endswith((".tar.gz", ".tgz")):
            raise InputError(f"--output {output}: the archive must end in .tar.gz")
        if output.exists() or output.is_symlink():
            raise InputError(f"--output {output}: exists; evidence is never overwritten")
        if not output.parent.is_dir():
            raise InputError(f"--output {output}: the folder {output.parent} does not exist")
    except OSError as exc:
        raise InputError(f"{exc.filename}: {exc.strerror}") from exc


def _documents(ctx: Context, findings: list[Finding]) -> dict[str, tuple[int, str]]:
    """Write the findings, the acquisition log and the manifest; digests of every file."""
    folder = ctx.evidence.folder
    digests = {e.path: (e.size, e.sha256) for e in ctx.evidence.entries}
    digests["findings.json"] = write_json(folder / "findings.json", [f.to_dict() for f in findings])
    ctx.log.ended = utc_text(datetime.now(UTC))
    digests["acquisition.json"] = write_json(folder / "acquisition.json", ctx.log.to_dict())
    manifest = {
        "format": "labwarden-triage-manifest/1",
        "case": ctx.log.case,
        "host": ctx.log.host.get("hostname"),
        "algorithm": "sha256",
        "files": [e.to_dict() for e in ctx.evidence.entries]
        + [
            {"path": name, "sha256": digests[name][1], "size": digests[name][0]}
            for name in ("findings.json", "acquisition.json")
        ],
    }
    digests["manifest.json"] = write_json(folder / "manifest.json", manifest)
    return digests


def run_triage(
    options: TriageOptions,
    *,
    workspace: Workspace | None = None,
    key: str | None = None,
    passphrase: PassphraseSource | None = None,
    lake: bool = True,
    progress: Progress | None = None,
) -> TriageResult:
    """Triage the running host (or ``options.root``) into an evidence archive."""
    now = datetime.now(UTC)
    output = (options.output or default_output(options.live, options.root, now)).absolute()
    _check(options, output)
    since = options.window_start(now)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{archive_name(output)}.", dir=output.parent))
    except OSError as exc:
        raise InputError(f"--output {output}: cannot write there ({exc.strerror})") from exc
    try:
        return _run(
            options, output, staging, now, since, workspace, key, passphrase, lake, progress
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _run(
    options: TriageOptions,
    output: Path,
    staging: Path,
    now: datetime,
    since: datetime,
    workspace: Workspace | None,
    key: str | None,
    passphrase: PassphraseSource | None,
    lake: bool,
    progress: Progress | None,
) -> TriageResult:
    host = Host(options.root)
    evidence = Evidence(staging / "evidence")
    evidence.folder.mkdir()
    acquisition = new_log(
        case=options.case,
        examiner=options.examiner,
        live=options.live,
        root=str(host.root),
        since=since,
    )
    ctx = Context(host, evidence, acquisition, options, now, since, skip={staging})
    timings = collect(ctx, progress)
    view = View(
        ctx.collected,
        since,
        now,
        evidence.folder,
        packages=ctx.packages,
        assets=sensitive_paths(workspace, None if options.live else str(host.root)),
        live=host.live,
    )
    findings = evaluate(view)
    digests = _documents(ctx, findings)
    signer, sealed = custody.signer(workspace, key, passphrase)
    if signer is not None:
        bundle = custody.seal_folder(signer, "evidence", digests)
        (staging / "evidence.sigstore.json").write_bytes(bundle)
    if progress is not None:
        progress("archive")
    packed = pack(staging, output)
    result = TriageResult(packed, findings, acquisition, ctx.collected, sealed, timings=timings)
    if signer is not None:
        sidecar = output.with_name(output.name + ".sigstore.json")
        atomic_write(sidecar, custody.seal_file(signer, output.name, packed.size, packed.sha256))
        result.seal_files.append(sidecar)
    if lake and workspace is not None:
        _feed_lake(result, workspace, now)
    return result


def _feed_lake(result: TriageResult, workspace: Workspace, now: datetime) -> None:
    host = str(result.log.host.get("hostname") or "unknown")
    try:
        found = triage_lake.events(result.collected, host, now)
        result.events_stored = triage_lake.store(workspace, found)
    except LabwardenError as exc:
        result.lake_error = exc.message
        log.warning("events not stored: %s", exc.message)
