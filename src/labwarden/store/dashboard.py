"""Aggregates the dashboard's overview shows: counts by severity and trends over time."""

from __future__ import annotations

from labwarden.store.db import Database


class DashboardStore:
    """Read-only aggregate queries over findings, alerts and scans."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def alerts_by_severity(
        self, statuses: tuple[str, ...] = ("open", "acknowledged")
    ) -> dict[str, int]:
        """Alerts in ``statuses`` counted by severity."""
        marks = ", ".join("?" * len(statuses))
        rows = self._db.rows(
            f"SELECT severity, count(*) FROM alerts WHERE status IN ({marks}) GROUP BY severity",
            statuses,
        )
        return {r[0]: int(r[1]) for r in rows}

    def findings_trend(self, days: int = 30) -> list[tuple[str, int]]:
        """New findings per day (by the start of the scan that first saw them), last ``days``."""
        rows = self._db.rows(
            "SELECT substr(s.started_at, 1, 10) AS day, count(*) FROM findings f "
            "JOIN scans s ON s.id = f.first_seen_scan "
            "GROUP BY day ORDER BY day DESC LIMIT ?",
            (days,),
        )
        return [(r[0], int(r[1])) for r in reversed(rows)]

    def alerts_trend(self, days: int = 30) -> list[tuple[str, int]]:
        """Alerts per day of their first event, last ``days`` days that had any."""
        rows = self._db.rows(
            "SELECT substr(first_seen, 1, 10) AS day, count(*) FROM alerts "
            "GROUP BY day ORDER BY day DESC LIMIT ?",
            (days,),
        )
        return [(r[0], int(r[1])) for r in reversed(rows)]

    def last_scan(self) -> str | None:
        """When the last scan finished, if any did."""
        row = self._db.one("SELECT max(finished_at) FROM scans")
        return None if row is None else row[0]
