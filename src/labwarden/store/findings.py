"""Findings: what checks found on assets, open until a later run no longer finds them."""

from __future__ import annotations

import json
from collections.abc import Sequence

from labwarden.core.finding import Finding, Location
from labwarden.core.values import Severity
from labwarden.store.db import Database, storable
from labwarden.store.rows import marks


class FindingStore:
    """The ``findings`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(
        self,
        asset_id: int,
        checks_run: Sequence[str],
        findings: Sequence[Finding],
        scan_id: int | None,
    ) -> None:
        """Store what ``checks_run`` found on an asset; earlier findings now absent are resolved.

        ``scan_id`` is ``None`` for findings made outside a scan (``labwarden verify --all``).
        """
        with self._db.transaction():
            if checks_run:
                self._db.execute(
                    f"UPDATE findings SET status = 'resolved' WHERE asset_id = ? "
                    f"AND check_name IN ({marks(len(checks_run))}) AND status = 'open'",
                    (asset_id, *checks_run),
                )
            self._db.executemany(
                "INSERT INTO findings (fingerprint, asset_id, check_name, rule, severity, path, "
                'member, "offset", line, message, remediation, evidence, status, '
                "first_seen_scan, last_seen_scan) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) "
                "ON CONFLICT(fingerprint) DO UPDATE SET status = 'open', "
                "severity = excluded.severity, asset_id = excluded.asset_id, "
                "evidence = excluded.evidence, remediation = excluded.remediation, "
                "last_seen_scan = excluded.last_seen_scan",
                [
                    (
                        f.fingerprint,
                        asset_id,
                        f.check,
                        f.rule,
                        f.severity.value,
                        storable(f.location.path),
                        storable(f.location.member),
                        f.location.offset,
                        f.location.line,
                        storable(f.message),
                        storable(f.remediation),
                        json.dumps(f.evidence, sort_keys=True, default=str),
                        scan_id,
                        scan_id,
                    )
                    for f in findings
                ],
            )

    def find(
        self,
        *,
        asset_id: int | None = None,
        min_severity: Severity | None = None,
        include_resolved: bool = False,
    ) -> list[Finding]:
        """Stored findings, most severe first."""
        where, params = ["1 = 1"], []
        if asset_id is not None:
            where.append("asset_id = ?")
            params.append(asset_id)
        if not include_resolved:
            where.append("status = 'open'")
        rows = self._db.rows(
            'SELECT check_name, rule, severity, path, member, "offset", line, message, '
            f"remediation, evidence, asset_id FROM findings WHERE {' AND '.join(where)} "
            "ORDER BY id",
            params,
        )
        found = [
            Finding(
                check=r[0],
                rule=r[1],
                severity=Severity(r[2]),
                location=Location(r[3], r[4], r[5], r[6]),
                message=r[7],
                remediation=r[8],
                evidence=json.loads(r[9]),
                asset_id=r[10],
            )
            for r in rows
        ]
        if min_severity is not None:
            found = [f for f in found if f.severity >= min_severity]
        found.sort(key=lambda f: -f.severity.rank)
        return found
