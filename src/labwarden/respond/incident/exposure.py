"""What must now be done about the touched assets: secrets to rotate, and models whose
integrity must be re-verified against their seals (tampered, intact or not known)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from labwarden.core.incident import StoredIncident
from labwarden.core.values import AssetKind
from labwarden.respond.incident.touched import Touched
from labwarden.store.catalog import Catalog
from labwarden.store.findings import FindingQuery, TriageStatus
from labwarden.store.seals import AssetVersion


@dataclass(frozen=True, slots=True)
class Rotation:
    """A credential to rotate, and why."""

    what: str
    where: str
    why: str
    fingerprint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "what": self.what,
            "where": self.where,
            "why": self.why,
            "fingerprint": self.fingerprint,
        }


@dataclass(frozen=True, slots=True)
class Integrity:
    """One touched asset's seal state."""

    asset_id: int
    asset_name: str
    kind: str
    version: str | None
    """``ID@vN`` in effect at the last access (``None``: never sealed)."""
    state: str
    """``tampered``, ``intact``, ``unknown`` or ``unsealed``."""
    detail: str
    must_verify: bool
    command: str | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "asset_id": self.asset_id,
            "asset": self.asset_name,
            "kind": self.kind,
            "version": self.version,
            "state": self.state,
            "detail": self.detail,
            "must_verify": self.must_verify,
            "command": self.command,
        }


def rotations(
    catalog: Catalog, incident: StoredIncident, touched: Sequence[Touched]
) -> list[Rotation]:
    """The incident's own access keys, then secrets found in the assets read."""
    found = [
        Rotation(key, "access key", "it is in the incident's scope (used by the intruder)")
        for key in incident.selected("access_key")
    ]
    ids = tuple(t.asset_id for t in touched if t.asset_id is not None and t.events.get("read"))
    if not ids:
        return found
    query = FindingQuery(
        checks=("secrets",), asset_ids=ids, statuses=(TriageStatus.OPEN, TriageStatus.ACCEPTED)
    )
    for stored in catalog.findings.all(query):
        finding = stored.finding
        title = str(finding.evidence.get("rule_title") or finding.rule)
        line = f":{finding.location.line}" if finding.location.line else ""
        found.append(
            Rotation(
                f"{title} ({finding.evidence.get('secret', 'redacted')})",
                f"{finding.location.path}{line}",
                f"in {stored.asset_name}, which the incident's principals read",
                stored.fingerprint,
            )
        )
    return found


def _state(catalog: Catalog, version: AssetVersion, since: str | None) -> tuple[str, str]:
    checks = catalog.seals.verifications(version.id)
    if not checks:
        return "unknown", "never verified"
    last = checks[-1]
    when = str(last.get("checked_at"))
    if last.get("outcome") == "mismatch":
        return "tampered", f"verification of {when} against {last.get('target')} failed"
    if last.get("outcome") == "error":
        return "unknown", f"verification of {when} could not run: {last.get('error')}"
    if since and when < since:
        return "unknown", f"last verified {when}, before the incident"
    return "intact", f"verified {when} against {last.get('target')}"


def integrity(
    catalog: Catalog, incident: StoredIncident, touched: Sequence[Touched]
) -> list[Integrity]:
    """Seal state of every touched model (and any written asset), tampered first."""
    found: list[Integrity] = []
    for item in touched:
        if item.asset_id is None:
            continue
        asset = catalog.assets.get(str(item.asset_id))
        written = bool(item.events.get("write") or item.events.get("delete"))
        if asset.kind is not AssetKind.MODEL and not written:
            continue
        when = item.last.isoformat() if item.last else None
        versions = [v for v in catalog.seals.versions(asset.id) if not when or v.sealed_at <= when]
        if not versions:
            found.append(
                Integrity(
                    asset.id,
                    asset.name,
                    asset.kind.value,
                    None,
                    "unsealed",
                    "no seal from before the access: integrity cannot be "
                    "shown; seal a known-good copy",
                    True,
                    None,
                )
            )
            continue
        version = versions[-1]
        state, detail = _state(catalog, version, incident.since)
        command = f"labwarden verify {asset.uri} --asset {version.ref}"
        must = state != "intact" or written
        found.append(
            Integrity(
                asset.id, asset.name, asset.kind.value, version.ref, state, detail, must, command
            )
        )
    order = {"tampered": 0, "unknown": 1, "unsealed": 2, "intact": 3}
    return sorted(found, key=lambda i: (order[i.state], i.asset_id))
