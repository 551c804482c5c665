"""Exfiltration: uploads out of the host in histories and running processes (rclone, aws s3,
s3cmd, gsutil, scp/rsync to outside hosts, curl uploads, netcat, file-sharing services), and an
archive made and then uploaded. Weighed up when the command touches what the catalog knows as
models, datasets or trial data, or files that look like them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from labwarden.core.finding import Finding
from labwarden.core.values import Severity
from labwarden.respond.triage.model import HistoryLine
from labwarden.respond.triage.rules.base import SensitivePath, View, finding, raise_one
from labwarden.respond.triage.rules.patterns import (
    Exfil,
    archive_names,
    exfiltration,
    piped_archive_upload,
)

ARCHIVE_WINDOW = 50
"""Commands after an archive is made in which uploading it counts as archive-then-upload."""
PER_TOOL = 5
"""Findings per account and tool before the rest are summed up in one."""
CROWN_JEWELS = re.compile(
    r"\.(?:safetensors|pt|pth|ckpt|bin|gguf|onnx|h5|keras|pb|npz|npy|parquet|arrow|feather|"
    r"tfrecord|jsonl|csv|sas7bdat|dta|sav|xpt|dcm|nii)\b|/(?:models?|checkpoints?|datasets?|"
    r"data|trials?|clinical|weights)/",
    re.IGNORECASE,
)

REMEDIATION = (
    "Establish what left and where to: the destination's logs, the object store's access logs "
    "(labwarden ingest), and the files named; revoke the credentials the tool used."
)


@dataclass(frozen=True, slots=True)
class _Weight:
    severity: Severity
    asset: SensitivePath | None
    jewel: bool


def _weigh(view: View, upload: Exfil, texts: list[str]) -> _Weight:
    severity = Severity.HIGH if upload.outside else Severity.MEDIUM
    if upload.outside is False:
        severity = Severity.INFO  # an internal host: reported only with a catalog asset
    asset = next((a for t in texts if (a := view.sensitive(t)) is not None), None)
    jewel = any(CROWN_JEWELS.search(t) for t in texts)
    if asset is not None:
        severity = Severity.CRITICAL if upload.outside is not False else Severity.LOW
    elif jewel and upload.outside is not False:
        severity = raise_one(severity)
    return _Weight(severity, asset, jewel)


def _evidence(upload: Exfil, weight: _Weight) -> dict[str, object]:
    return {
        "tool": upload.tool,
        "destination": upload.destination,
        "outside": upload.outside,
        "asset": weight.asset.name if weight.asset else None,
        "asset_id": weight.asset.asset_id if weight.asset else None,
        "asset_kind": weight.asset.kind if weight.asset else None,
        "looks_like_models_or_data": weight.jewel,
    }


def _touches(weight: _Weight) -> str:
    if weight.asset:
        return f" touching {weight.asset.kind} {weight.asset.name} ({weight.asset.sensitivity})"
    return " touching model or data files" if weight.jewel else ""


def _history(view: View, lines: list[HistoryLine]) -> Iterator[Finding]:
    archives: list[tuple[int, str, HistoryLine]] = []
    for index, line in enumerate(lines):
        command = line.command
        for name in archive_names(command):
            archives.append((index, name, line))
        upload = exfiltration(command)
        piped = piped_archive_upload(command)
        if upload is None and not piped:
            continue
        upload = upload or Exfil("archive piped to a network tool", "?", None)
        made = [a for a in archives if index - a[0] <= ARCHIVE_WINDOW and _mentions(command, a[1])]
        texts = [command] + [a[2].command for a in made]
        weight = _weigh(view, upload, texts)
        if weight.severity is Severity.INFO:
            continue
        staged = bool(made) or piped
        severity: Severity = raise_one(weight.severity) if staged else weight.severity
        how = "archive-then-upload: " if staged else ""
        when = f" at {line.time.isoformat()}" if line.time else ""
        yield finding(
            "exfil.history",
            severity,
            line.origin,
            f"{how}{line.account or '?'} ran {upload.tool} to {upload.destination}"
            f"{_touches(weight)}{when}: {command[:300]}",
            REMEDIATION,
            command=command[:2000],
            archive_made=[
                f"{a[2].origin.path}:{a[2].origin.line}: {a[2].command[:300]}" for a in made
            ][:3],
            **_evidence(upload, weight),
        )


def _mentions(command: str, archive: str) -> bool:
    name = archive.rsplit("/", 1)[-1]
    return archive in command or (len(name) > 3 and name in command)


def _capped(findings: Iterator[Finding]) -> Iterator[Finding]:
    counts: dict[tuple[object, object], int] = {}
    held: dict[tuple[object, object], list[Finding]] = {}
    for item in findings:
        key = (item.location.path, item.evidence.get("tool"))
        counts[key] = counts.get(key, 0) + 1
        if counts[key] <= PER_TOOL or item.severity >= Severity.CRITICAL:
            yield item
        else:
            held.setdefault(key, []).append(item)
    for (path, tool), rest in held.items():
        worst = max(rest, key=lambda f: f.severity)
        yield finding(
            "exfil.history",
            worst.severity,
            None,
            f"{len(rest)} more uploads with {tool} in {path}",
            REMEDIATION,
            history=str(path),
            lines=[f.location.line for f in rest][:100],
        )


def histories(view: View) -> Iterator[Finding]:
    """Uploads in shell histories, oldest first per file."""
    by_file: dict[str, list[HistoryLine]] = {}
    for line in view.collected.histories:
        by_file.setdefault(line.origin.path, []).append(line)
    for lines in by_file.values():
        yield from _capped(_history(view, lines))


def processes(view: View) -> Iterator[Finding]:
    """Uploads running right now."""
    for process in view.collected.processes:
        upload = exfiltration(process.command)
        if upload is None and not piped_archive_upload(process.command):
            continue
        upload = upload or Exfil("archive piped to a network tool", "?", None)
        weight = _weigh(view, upload, [process.command, process.cwd or ""])
        if weight.severity is Severity.INFO:
            continue
        yield finding(
            "exfil.process",
            raise_one(weight.severity),
            process.origin,
            f"process {process.pid} ({process.user or process.uid}) is uploading with "
            f"{upload.tool} to {upload.destination}{_touches(weight)}: {process.command[:300]}",
            "Stop it now if it is not authorized (after capturing /proc/PID); " + REMEDIATION,
            pid=process.pid,
            command=process.command[:2000],
            **_evidence(upload, weight),
        )
