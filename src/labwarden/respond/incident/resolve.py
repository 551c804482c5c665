"""Finding the catalog asset of what ingest could not resolve, and of what hosts sent out.

* An object in an object store often mirrors the lab's local layout
  (``s3://acme-datasets/trials/CTX-104/sdtm/dm.csv`` holds ``.../data/trials/CTX-104/sdtm/dm.csv``).
  :class:`SuffixResolver` matches an unresolved object to the one catalogued file whose path
  ends with the object key's last components (at least :data:`MIN_COMPONENTS`, the longest
  match that is unique), and says so in the scope.
* A host's exfiltration is what triage judged: an ``exfil`` finding of an attached archive whose
  evidence names a catalog asset (a history line that uploaded it) counts as a read of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from labwarden.core.values import AssetKind, Sensitivity
from labwarden.respond.incident.triage_feed import TriageFeed
from labwarden.store.catalog import Catalog

MIN_COMPONENTS = 2
"""Fewest trailing path components that must agree (``sdtm/dm.csv``)."""
MAX_COMPONENTS = 6
_KINDS = {AssetKind.MODEL, AssetKind.DATASET, AssetKind.CODE, AssetKind.CREDENTIALS}


@dataclass(frozen=True, slots=True)
class Match:
    """The asset an object was matched to, and how."""

    asset_id: int
    name: str
    kind: str
    sensitivity: str
    how: str


class SuffixResolver:
    """Unresolved objects to catalogued files by the trailing components of their paths."""

    def __init__(self, catalog: Catalog) -> None:
        self._by_suffix: dict[str, list[tuple[str, Match]]] = {}
        for asset in catalog.assets.find():
            if asset.kind not in _KINDS and asset.sensitivity < Sensitivity.CONFIDENTIAL:
                continue
            match = Match(asset.id, asset.name, asset.kind.value, asset.sensitivity.value, "")
            for record in catalog.files.of_asset(asset.id):
                parts = record.path.strip("/").split("/")
                for size in range(MIN_COMPONENTS, min(MAX_COMPONENTS, len(parts)) + 1):
                    key = "/".join(parts[-size:])
                    self._by_suffix.setdefault(key, []).append((record.path, match))

    def __call__(self, uri: str) -> Match | None:
        """The one asset whose file the object mirrors, if exactly one does."""
        parts = uri.split("://", 1)[-1].strip("/").split("/")[1:]  # without the bucket
        for size in range(min(MAX_COMPONENTS, len(parts)), MIN_COMPONENTS - 1, -1):
            key = "/".join(parts[-size:])
            candidates = {m.asset_id: (path, m) for path, m in self._by_suffix.get(key, [])}
            if len(candidates) == 1:
                path, found = next(iter(candidates.values()))
                how = f"the object key ends like catalogued file {path} ({size} path components)"
                return Match(found.asset_id, found.name, found.kind, found.sensitivity, how)
        return None


def resolve_rows(
    rows: Iterable[dict[str, Any]], resolver: SuffixResolver, notes: list[str]
) -> list[dict[str, Any]]:
    """Give rows without an asset the asset their object mirrors, noting each match once."""
    out = []
    noted: set[int] = set()
    for original in rows:
        row = original
        uri = row.get("resource_uri")
        if row.get("asset_id") is None and isinstance(uri, str) and "://" in uri:
            match = resolver(uri)
            if match is not None:
                row = {
                    **row,
                    "asset_id": match.asset_id,
                    "asset_name": match.name,
                    "asset_kind": match.kind,
                    "asset_sensitivity": match.sensitivity,
                }
                if match.asset_id not in noted:
                    noted.add(match.asset_id)
                    notes.append(
                        f"{uri} counted as asset {match.asset_id} ({match.name}): {match.how}"
                    )
        out.append(row)
    return out


def exfiltration_rows(
    catalog: Catalog, feeds: Iterable[TriageFeed], since: str | None, until: str | None
) -> list[dict[str, Any]]:
    """Rows (as the lake query's) for catalog assets that triage saw a host send out."""
    rows = []
    for feed in feeds:
        for placed in feed.findings:
            finding = placed.finding
            evidence = finding.get("evidence")
            if not str(finding.get("rule", "")).startswith("triage.exfil") or not isinstance(
                evidence, dict
            ):
                continue
            asset_id = evidence.get("asset_id")
            when = placed.time.isoformat()
            if not isinstance(asset_id, int) or not catalog.assets.exists(asset_id):
                continue
            if (since and when < since) or (until and when > until):
                continue
            asset = catalog.assets.get(str(asset_id))
            rows.append(
                {
                    "asset_id": asset.id,
                    "asset_name": asset.name,
                    "asset_kind": asset.kind.value,
                    "asset_sensitivity": asset.sensitivity.value,
                    "resource_uri": f"{feed.host}:{asset.uri}",
                    "op_class": "read",
                    "n": 1,
                    "b": 0,
                    "first": placed.time,
                    "last": placed.time,
                    "ops": [f"host upload ({evidence.get('tool')})"],
                    "principals": [_account(finding)],
                    "addresses": [],
                    "exfil_to": evidence.get("destination"),
                }
            )
    return rows


def _account(finding: dict[str, Any]) -> str:
    message = str(finding.get("message", ""))
    head = message.split(" ran ", 1)[0]
    return head.rsplit(" ", 1)[-1].removeprefix("archive-then-upload:").strip()
