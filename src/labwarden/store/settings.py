"""Server settings an admin may change (kept as text; their meaning is the web package's)."""

from __future__ import annotations

from labwarden.store.db import Database, storable, utcnow


class SettingsStore:
    """The ``settings`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def all(self) -> dict[str, str]:
        """Every stored setting."""
        return {r[0]: r[1] for r in self._db.rows("SELECT key, value FROM settings ORDER BY key")}

    def set(self, key: str, value: str, by: str) -> None:
        """Store one setting."""
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                (key, storable(value), utcnow(), by),
            )
