"""What every rule sees (:class:`View`) and how it says what it found (:func:`finding`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from labwarden.core.finding import Finding, Location
from labwarden.core.values import Severity
from labwarden.respond.triage.known import Known, known
from labwarden.respond.triage.model import Collected, Origin
from labwarden.respond.triage.packages import PackageIndex

CHECK = "triage"


@dataclass(frozen=True, slots=True)
class SensitivePath:
    """A catalog asset on this host: models, datasets, trial data."""

    path: str
    name: str
    kind: str
    sensitivity: str
    asset_id: int


@dataclass(slots=True)
class View:
    """The collection as the rules read it."""

    collected: Collected
    since: datetime
    now: datetime
    evidence: Path
    """The staged evidence folder (archive paths are relative to it)."""
    packages: PackageIndex = field(default_factory=PackageIndex)
    known: Known = field(default_factory=known)
    assets: list[SensitivePath] = field(default_factory=list)
    live: bool = True

    def recent(self, seconds: float | None) -> bool:
        """Whether a modification time falls within ``--since``."""
        return seconds is not None and seconds >= self.since.timestamp()

    def data(self, origin: Origin) -> bytes | None:
        """The archived bytes behind a record (``None`` when it has no file)."""
        path = self.evidence / origin.artifact
        try:
            return path.read_bytes() if origin.artifact and path.is_file() else None
        except OSError:
            return None

    def source_mtime(self, origin: Origin) -> float | None:
        """The modification time the host file had (its archived copy keeps it)."""
        try:
            return (self.evidence / origin.artifact).stat().st_mtime if origin.artifact else None
        except OSError:
            return None

    def package_verdict(self, origin: Origin) -> str:
        """What the package database says of the file a record came from."""
        return self.packages.verdict(origin.path, self.data(origin))

    def sensitive(self, text: str) -> SensitivePath | None:
        """The catalog asset a command or path mentions, if any."""
        for asset in self.assets:
            if asset.path and asset.path in text:
                return asset
        return None


Rule = Callable[[View], Iterable[Finding]]


def finding(
    rule: str,
    severity: Severity,
    origin: Origin | None,
    message: str,
    remediation: str,
    **evidence: Any,
) -> Finding:
    """A triage finding at the record ``origin`` (its artifact path goes into the evidence)."""
    location = Location(origin.path if origin else "(host)", line=origin.line if origin else None)
    if origin is not None:
        evidence = {"artifact": origin.artifact, **evidence}
    clean = {k: v for k, v in evidence.items() if v not in (None, "", [], {})}
    return Finding(
        check=CHECK,
        rule=f"triage.{rule}",
        severity=severity,
        location=location,
        message=message,
        remediation=remediation,
        evidence=clean,
    )


def raise_one(severity: Severity) -> Severity:
    """The next severity up (critical stays critical)."""
    order = list(Severity)
    return order[min(order.index(severity) + 1, len(order) - 1)]
