"""What the incident's principals did to each asset, from one grouped query over the lake.

The lake is grouped in DuckDB by asset, object and operation class (:mod:`.operations`), so
only one row per object and class comes back however many events there are. Events whose
resource is in no catalog asset are kept apart, by the name ingest gave them (a
``resources.toml`` entry) or by their bucket, so the scope can say what it cannot weigh.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from labwarden.core.incident import StoredIncident
from labwarden.engines.interface import Engine
from labwarden.respond.incident.lake_lines import selection
from labwarden.respond.incident.operations import operation_class_sql

CLASSES = ("read", "write", "delete", "list", "other", "failed")


@dataclass(frozen=True, slots=True)
class Derived:
    """A number and how it was derived (every number of a scope carries one)."""

    value: int | float | None
    how: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"value": self.value, "how": self.how}


@dataclass(slots=True)
class Touched:
    """What the scoped principals did to one asset (or one unresolved resource group)."""

    key: str
    asset_id: int | None
    name: str
    kind: str | None
    sensitivity: str | None
    events: dict[str, int] = field(default_factory=dict)
    """Events by operation class."""
    bytes_read: int = 0
    objects_read: set[str] = field(default_factory=set)
    objects_written: set[str] = field(default_factory=set)
    objects_deleted: set[str] = field(default_factory=set)
    operations: set[str] = field(default_factory=set)
    principals: set[str] = field(default_factory=set)
    actors: set[str] = field(default_factory=set)
    """Who acted, as precisely as the lake says: the ARN (a role session's names its role and
    account), else the principal's name; what an access model resolves to an identity."""
    addresses: set[str] = field(default_factory=set)
    first: datetime | None = None
    last: datetime | None = None

    @property
    def total(self) -> int:
        """Every event, whatever its class."""
        return sum(self.events.values())

    def add(self, row: dict[str, Any]) -> None:
        """Fold one grouped row in."""
        cls = str(row["op_class"])
        self.events[cls] = self.events.get(cls, 0) + int(row["n"])
        uri = row.get("resource_uri")
        if uri:
            {
                "read": self.objects_read,
                "write": self.objects_written,
                "delete": self.objects_deleted,
            }.get(cls, set()).add(str(uri))
        if cls == "read":
            self.bytes_read += int(row["b"] or 0)
        self.operations.update(o for o in row["ops"] or [] if o)
        self.principals.update(p for p in row["principals"] or [] if p)
        self.actors.update(a for a in row.get("actors") or row["principals"] or [] if a)
        self.addresses.update(a for a in row["addresses"] or [] if a)
        first, last = row["first"], row["last"]
        self.first = first if self.first is None or first < self.first else self.first
        self.last = last if self.last is None or last > self.last else self.last


def query(engine: Engine, incident: StoredIncident) -> list[dict[str, Any]]:
    """One row per asset, object and operation class of the incident's lake events."""
    chosen = selection(incident)
    if chosen is None:
        return []
    where, params = chosen
    op = operation_class_sql()
    table = engine.table(
        f"SELECT asset_id, asset_name, asset_kind, asset_sensitivity, resource_bucket, "  # noqa: S608
        f"resource_uri, {op} AS op_class, count(*) AS n, sum(coalesce(bytes, 0)) AS b, "
        "min(time) AS first, max(time) AS last, list(DISTINCT api_operation) AS ops, "
        "list(DISTINCT actor_user) AS principals, "
        "list(DISTINCT coalesce(actor_uid, actor_user)) AS actors, "
        "list(DISTINCT src_ip) AS addresses "
        f"FROM events WHERE {where} AND (resource_uri IS NOT NULL OR asset_id IS NOT NULL) "
        "AND coalesce(resource_type, '') NOT IN ('tty', 'process') "
        "GROUP BY ALL",
        params,
    )
    return list(table.to_pylist())


def _key(row: dict[str, Any]) -> tuple[str, int | None, str]:
    if row.get("asset_id") is not None:
        return f"asset:{row['asset_id']}", int(row["asset_id"]), str(row.get("asset_name") or "")
    if row.get("asset_name"):
        return f"name:{row['asset_name']}", None, str(row["asset_name"])
    uri = str(row.get("resource_uri") or "")
    bucket = row.get("resource_bucket") or (uri.split("/")[2] if "://" in uri else uri)
    return f"bucket:{bucket}", None, str(bucket or uri)


def fold(rows: Iterable[dict[str, Any]]) -> list[Touched]:
    """The grouped rows folded per asset (unresolved ones per name or bucket), most events
    first."""
    found: dict[str, Touched] = {}
    for row in rows:
        key, asset_id, name = _key(row)
        touched = found.get(key)
        if touched is None:
            touched = found[key] = Touched(
                key, asset_id, name, row.get("asset_kind"), row.get("asset_sensitivity")
            )
        touched.add(row)
    return sorted(found.values(), key=lambda t: (-t.total, t.key))
