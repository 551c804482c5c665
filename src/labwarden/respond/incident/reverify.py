"""Run the verifications an incident's scope offers: every touched model version whose
integrity must be re-verified is checked against the seal in effect at the last access.

The outcomes are recorded in the catalog like any ``labwarden verify`` (the seal's history and,
for drift, ``seal`` findings on the asset), and the scope's integrity table is rebuilt from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labwarden.core.errors import LabwardenError
from labwarden.respond.incident.exposure import integrity
from labwarden.respond.incident.scope import Scope
from labwarden.seal.keys import TrustedKey
from labwarden.seal.workflow import reverify_version, version_for
from labwarden.store.catalog import Catalog


@dataclass(frozen=True, slots=True)
class Reverified:
    """The outcome of re-verifying one touched asset against one sealed version."""

    asset_id: int
    asset_name: str
    version: str
    outcome: str
    """``verified``, ``mismatch`` or ``error``."""
    detail: str
    findings: int
    """Findings recorded on the asset (drift, or a seal that cannot be verified)."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "asset_id": self.asset_id,
            "asset": self.asset_name,
            "version": self.version,
            "outcome": self.outcome,
            "detail": self.detail,
            "findings": self.findings,
        }


def _detail(counts: dict[str, int], files: int) -> str:
    changed = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    return changed or f"{files} files match the seal"


def verify_scope(catalog: Catalog, scope: Scope, trusted: list[TrustedKey]) -> list[Reverified]:
    """Verify every version the scope says must be re-verified; the scope's ``integrity`` and
    ``reverified`` are updated from the outcomes."""
    done: list[Reverified] = []
    for item in scope.integrity:
        if not item.must_verify or item.version is None:
            continue
        try:
            asset, version = version_for(catalog, item.version)
        except LabwardenError as exc:
            done.append(
                Reverified(item.asset_id, item.asset_name, item.version, "error", exc.message, 0)
            )
            continue
        check = reverify_version(catalog, asset, version, trusted)
        if check.verification is None:
            outcome, detail = "error", str(check.error)
        else:
            result = check.verification
            outcome = "verified" if result.verified else "mismatch"
            detail = f"{result.target}: {_detail(result.counts(), result.files_checked)}"
        done.append(
            Reverified(asset.id, asset.name, version.ref, outcome, detail, len(check.findings))
        )
    scope.integrity = integrity(catalog, scope.incident, scope.assets)
    scope.reverified = [r.to_dict() for r in done]
    return done
