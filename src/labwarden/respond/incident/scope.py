"""An incident's scope (blast radius): what was touched, whose data it holds, what must now be
rotated and re-verified, and what the principals could have reached but did not.

Every number is a :class:`~labwarden.respond.incident.touched.Derived`: its value and how it
was derived. What cannot be known is said in ``notes``, never guessed.

What the principals *could* have read needs identity data. :func:`build_scope` takes an
optional :class:`AccessProvider` (the identity capability supplies one from its access model);
without it the scope says that this part is unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from labwarden.core.errors import InputError
from labwarden.core.incident import StoredIncident
from labwarden.core.workspace import Workspace
from labwarden.engines.duckdb import connect
from labwarden.engines.interface import Engine, EngineError
from labwarden.respond.incident import touched as touched_mod
from labwarden.respond.incident.exposure import Integrity, Rotation, integrity, rotations
from labwarden.respond.incident.resolve import (
    SuffixResolver,
    exfiltration_rows,
    resolve_rows,
)
from labwarden.respond.incident.subjects import PersonalData, personal_data
from labwarden.respond.incident.timeline import read_feeds
from labwarden.respond.incident.touched import Derived, Touched
from labwarden.store.catalog import Catalog


@dataclass(frozen=True, slots=True)
class Reachable:
    """An asset a principal could read (by the access model), with why."""

    asset_id: int
    principal: str
    how: str
    """The grant that allows it (policy, statement), as the provider explains it."""


class AccessProvider(Protocol):
    """What identity data says the principals could reach (the seam for ``identity/``)."""

    def readable_assets(self, principals: Sequence[str], catalog: Catalog) -> list[Reachable]:
        """Catalog assets each principal may read, with the grant that allows it.

        ``principals`` are ARNs where the lake has them (a role session's ARN names its role
        and account), else names; the provider names each by the identity it resolves to."""
        ...


@runtime_checkable
class ReadersProvider(Protocol):
    """An access provider that also tells who could read given assets (optional)."""

    def readers(self, asset_ids: Sequence[int], catalog: Catalog) -> list[Reachable]:
        """Every principal that may read each of ``asset_ids``, with the grant."""
        ...


@runtime_checkable
class GrantsProvider(Protocol):
    """An access provider that also judges what the principals did to buckets (optional)."""

    def granted(
        self, lake: Path, principals: Sequence[str], since: str | None, until: str | None
    ) -> list[dict[str, Any]]:
        """Per principal, bucket, kind of access and day in the window: whether the
        policies grant it (``granted``, ``undecided``, ``never granted``, ``not judged``)."""
        ...


@dataclass(slots=True)
class Scope:
    """The blast radius of one incident."""

    incident: StoredIncident
    assets: list[Touched]
    """Catalog assets touched, most events first."""
    unresolved: list[Touched]
    """Resources in no catalog asset (by ingest's name or by bucket)."""
    personal: PersonalData
    rotate: list[Rotation]
    integrity: list[Integrity]
    reachable_not_read: list[Reachable] | None = None
    """``None``: no identity data to tell."""
    could_read: list[Reachable] | None = None
    """Every principal that may read the touched assets; ``None``: no identity data."""
    grants: list[dict[str, Any]] | None = None
    """What the principals did to buckets, judged by the policies; ``None``: no identity data."""
    reverified: list[dict[str, Any]] | None = None
    """Outcomes of re-verifying the versions ``integrity`` lists (``None``: not run)."""
    totals: dict[str, Derived] = field(default_factory=dict)
    by_kind: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "incident": self.incident.id,
            "window": {"since": self.incident.since, "until": self.incident.until},
            "totals": {k: v.to_dict() for k, v in self.totals.items()},
            "by_kind_and_sensitivity": self.by_kind,
            "assets": [touched_dict(t) for t in self.assets],
            "unresolved": [touched_dict(t) for t in self.unresolved],
            "personal_data": self.personal.to_dict(),
            "rotate": [r.to_dict() for r in self.rotate],
            "integrity": [i.to_dict() for i in self.integrity],
            "reverified": self.reverified,
            "reachable_not_read": None
            if self.reachable_not_read is None
            else [
                {"asset_id": r.asset_id, "principal": r.principal, "how": r.how}
                for r in self.reachable_not_read
            ],
            "could_read": None
            if self.could_read is None
            else [
                {"asset_id": r.asset_id, "principal": r.principal, "how": r.how}
                for r in self.could_read
            ],
            "grants": self.grants,
            "notes": self.notes,
        }


def touched_dict(item: Touched, objects: int = 50) -> dict[str, Any]:
    """A touched asset as JSON (at most ``objects`` object names of each list)."""
    return {
        "asset_id": item.asset_id,
        "name": item.name,
        "kind": item.kind,
        "sensitivity": item.sensitivity,
        "events": item.events,
        "bytes_read": Derived(item.bytes_read, "sum of `bytes` of successful reads").to_dict(),
        "objects_read": Derived(len(item.objects_read), "distinct resource URIs read").to_dict(),
        "objects_written": len(item.objects_written),
        "objects_deleted": len(item.objects_deleted),
        "objects": sorted(item.objects_read)[:objects],
        "operations": sorted(item.operations),
        "principals": sorted(item.principals),
        "source_ips": sorted(item.addresses),
        "first": item.first.isoformat() if item.first else None,
        "last": item.last.isoformat() if item.last else None,
    }


def _rows(workspace: Workspace, incident: StoredIncident, engine: Engine | None) -> list[Any]:
    own = engine is None
    con = engine or connect()
    try:
        con.events_view(workspace.lake_path)
        return touched_mod.query(con, incident)
    except EngineError as exc:
        raise InputError(f"{workspace.lake_path}: cannot read the event lake: {exc}") from exc
    finally:
        if own:
            con.close()


def _totals(scope: Scope) -> None:
    items = scope.assets + scope.unresolved
    read = [t for t in items if t.events.get("read")]
    scope.totals = {
        "assets_touched": Derived(
            len(scope.assets),
            "catalog assets named by lake events of the incident's selectors in its window",
        ),
        "assets_read": Derived(
            sum(1 for t in scope.assets if t.events.get("read")),
            "of those, assets with at least one successful read (GetObject, download, clone...)",
        ),
        "bytes_read": Derived(
            sum(t.bytes_read for t in read),
            "sum of `bytes` of successful reads, resolved or not (what the logs record as sent)",
        ),
        "objects_read": Derived(
            sum(len(t.objects_read) for t in read), "distinct resource URIs read"
        ),
        "failed": Derived(
            sum(t.events.get("failed", 0) for t in items),
            "operations the logs record as failed or denied",
        ),
    }
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for item in scope.assets:
        key = (item.kind or "unknown", item.sensitivity or "unknown")
        group = groups.setdefault(
            key,
            {
                "kind": key[0],
                "sensitivity": key[1],
                "assets": 0,
                "objects_read": 0,
                "bytes_read": 0,
            },
        )
        group["assets"] += 1
        group["objects_read"] += len(item.objects_read)
        group["bytes_read"] += item.bytes_read
    scope.by_kind = sorted(groups.values(), key=lambda g: (g["kind"], g["sensitivity"]))


def _reachable(
    scope: Scope,
    catalog: Catalog,
    access: AccessProvider | None,
    who: tuple[list[str], list[str]],
    lake: Path,
) -> None:
    """``who``: the principals as the lake names them (for grants, which the lake is queried
    by) and as precisely as it names them (ARNs, for the access model to resolve)."""
    principals, actors = who
    if access is None:
        scope.notes.append(
            "what the principals could have read but did not is unknown: no identity data "
            "(an access model from `labwarden iam`) was given"
        )
        return
    read = {t.asset_id for t in scope.assets if t.events.get("read")}
    scope.reachable_not_read = [
        r for r in access.readable_assets(actors, catalog) if r.asset_id not in read
    ]
    if isinstance(access, ReadersProvider):
        touched = sorted({t.asset_id for t in scope.assets if t.asset_id is not None})
        scope.could_read = access.readers(touched, catalog)
    if isinstance(access, GrantsProvider):
        incident = scope.incident
        scope.grants = access.granted(lake, principals, incident.since, incident.until)


def build_scope(
    catalog: Catalog,
    workspace: Workspace,
    incident: StoredIncident,
    *,
    access: AccessProvider | None = None,
    engine: Engine | None = None,
) -> Scope:
    """The blast radius of ``incident`` (one grouped lake query, then the catalog)."""
    notes: list[str] = []
    rows = _rows(workspace, incident, engine)
    if any(r.get("asset_id") is None and "://" in str(r.get("resource_uri")) for r in rows):
        rows = resolve_rows(rows, SuffixResolver(catalog), notes)
    rows = _known_assets(catalog, rows, notes)
    feeds = read_feeds(incident, notes)
    rows += exfiltration_rows(catalog, feeds, incident.since, incident.until)
    folded = touched_mod.fold(rows)
    linked = {t.asset_id for t in folded}
    for asset_id in incident.asset_ids:  # linked by hand or by an alert, even without events
        if asset_id not in linked and catalog.assets.exists(asset_id):
            asset = catalog.assets.get(str(asset_id))
            folded.append(
                Touched(
                    f"asset:{asset_id}",
                    asset_id,
                    asset.name,
                    asset.kind.value,
                    asset.sensitivity.value,
                )
            )
    resolved = [t for t in folded if t.asset_id is not None]
    scope = Scope(
        incident,
        resolved,
        [t for t in folded if t.asset_id is None],
        personal_data(catalog, resolved),
        rotations(catalog, incident, resolved),
        integrity(catalog, incident, resolved),
    )
    _totals(scope)
    selected = set(incident.selected("principal"))
    principals = sorted({p for t in folded for p in t.principals} | selected)
    actors = sorted({a for t in folded for a in t.actors} | selected)
    _reachable(scope, catalog, access, (principals, actors), workspace.lake_path)
    _notes(scope)
    scope.notes.extend(notes)
    return scope


def _known_assets(catalog: Catalog, rows: list[Any], notes: list[str]) -> list[Any]:
    """Rows whose asset left the catalog (removed, or a lake from another catalog) are kept
    as unresolved, by name."""
    ids = {r["asset_id"] for r in rows if r.get("asset_id") is not None}
    gone = {i for i in ids if not catalog.assets.exists(int(i))}
    if not gone:
        return rows
    notes.append(
        f"{len(gone)} asset ids of the lake are not in the catalog "
        f"({', '.join(str(i) for i in sorted(gone)[:5])}): counted by name, not weighed"
    )
    return [{**r, "asset_id": None} if r.get("asset_id") in gone else r for r in rows]


def _notes(scope: Scope) -> None:
    if not scope.assets and not scope.unresolved:
        scope.notes.append(
            "no lake event of the incident's selectors names a resource in its window: "
            "nothing is known to be touched"
        )
    unknown = [t for t in scope.unresolved if t.total > t.events.get("list", 0)]
    if unknown:
        names = ", ".join(t.name for t in unknown[:5]) + ("..." if len(unknown) > 5 else "")
        scope.notes.append(
            f"{len(unknown)} resources read or changed are in no catalog asset ({names}): their "
            "kind, sensitivity and personal data are unknown; scan them or map them in "
            "resources.toml"
        )
    scope.notes.extend(scope.personal.notes)
