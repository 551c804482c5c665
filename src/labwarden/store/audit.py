"""The audit log: who changed what, when, and through which door (API, page or CLI)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from labwarden.store.db import Database, storable, utcnow


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded change."""

    id: int
    at: str
    actor: str
    role: str | None
    via: str
    action: str
    target: str
    detail: dict[str, Any] = field(default_factory=dict)
    address: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "id": self.id,
            "at": self.at,
            "actor": self.actor,
            "role": self.role,
            "via": self.via,
            "action": self.action,
            "target": self.target,
            "detail": self.detail,
            "address": self.address,
        }


class AuditStore:
    """The ``audit_log`` table (append-only: nothing updates or deletes its rows)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(
        self,
        actor: str,
        action: str,
        target: str = "",
        *,
        role: str | None = None,
        via: str = "api",
        detail: dict[str, Any] | None = None,
        address: str | None = None,
    ) -> None:
        """Append one entry; inside a caller's transaction it commits with the change itself."""
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO audit_log (at, actor, role, via, action, target, detail, address) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    utcnow(),
                    storable(actor),
                    role,
                    via,
                    action,
                    storable(target),
                    json.dumps(detail or {}, sort_keys=True, default=str),
                    address,
                ),
            )

    def find(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[AuditEntry], int]:
        """Entries, newest first, and how many match in all."""
        where, params = ["1 = 1"], []
        if actor:
            where.append("actor = ?")
            params.append(actor)
        if action:
            where.append("(action = ? OR action LIKE ?)")
            params.extend([action, f"{action}.%"])
        clause = " AND ".join(where)
        total = self._db.one(f"SELECT count(*) FROM audit_log WHERE {clause}", params)
        rows = self._db.rows(
            "SELECT id, at, actor, role, via, action, target, detail, address FROM audit_log "
            f"WHERE {clause} ORDER BY id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        entries = [
            AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7]), r[8])
            for r in rows
        ]
        return entries, int(total[0]) if total is not None else 0
