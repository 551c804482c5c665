"""Findings: what every check returns and every output format renders."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from labwarden.core.values import Sensitivity, Severity


@dataclass(frozen=True, slots=True)
class Location:
    """Where in an asset a finding sits: a file and optionally a member, offset or line."""

    path: str
    member: str | None = None
    offset: int | None = None
    line: int | None = None

    def __str__(self) -> str:
        text = self.path
        if self.member:
            text += f"!{self.member}"
        if self.line is not None:
            text += f":{self.line}"
        if self.offset is not None:
            text += f"@{self.offset}"
        return text


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found by one check in one place."""

    check: str
    rule: str
    severity: Severity
    location: Location
    message: str
    remediation: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    asset_id: int | None = None
    raises: Sensitivity | None = None
    """The sensitivity this finding proves the asset has (PHI in a log makes it restricted)."""

    @property
    def fingerprint(self) -> str:
        """A stable identity across scans: same check, rule, place and evidence."""
        key = json.dumps(
            [self.check, self.rule, asdict(self.location), self.message],
            sort_keys=True,
        )
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "fingerprint": self.fingerprint,
            "check": self.check,
            "rule": self.rule,
            "severity": self.severity.value,
            "location": {k: v for k, v in asdict(self.location).items() if v is not None},
            "message": self.message,
            "remediation": self.remediation,
            "evidence": self.evidence,
            "asset_id": self.asset_id,
            "raises": self.raises.value if self.raises else None,
        }
