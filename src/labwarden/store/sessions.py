"""Login sessions of the web pages: a digest of the cookie's secret, its user and CSRF token.

Only the digest of the session secret is stored, so a copy of the catalog does not let anyone
take over a session.
"""

from __future__ import annotations

from dataclasses import dataclass

from labwarden.store.db import Database, utcnow


@dataclass(frozen=True, slots=True)
class Session:
    """A live session."""

    user_id: int
    csrf: str
    created_at: str
    expires_at: str


class SessionStore:
    """The ``web_sessions`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def create(
        self, id_hash: str, user_id: int, csrf: str, expires_at: str, address: str | None
    ) -> None:
        """Store a new session (and drop expired ones)."""
        now = utcnow()
        with self._db.transaction():
            self._db.execute("DELETE FROM web_sessions WHERE expires_at <= ?", (now,))
            self._db.execute(
                "INSERT INTO web_sessions (id_hash, user_id, csrf, created_at, expires_at, "
                "address) VALUES (?, ?, ?, ?, ?, ?)",
                (id_hash, user_id, csrf, now, expires_at, address),
            )

    def get(self, id_hash: str) -> Session | None:
        """The session with this digest, unless it expired."""
        row = self._db.one(
            "SELECT user_id, csrf, created_at, expires_at FROM web_sessions "
            "WHERE id_hash = ? AND expires_at > ?",
            (id_hash, utcnow()),
        )
        return None if row is None else Session(row[0], row[1], row[2], row[3])

    def delete(self, id_hash: str) -> None:
        """End one session (logout)."""
        with self._db.transaction():
            self._db.execute("DELETE FROM web_sessions WHERE id_hash = ?", (id_hash,))

    def end_all(self, user_id: int) -> int:
        """End every session of a user (password change, token rotation); returns how many."""
        with self._db.transaction():
            cur = self._db.execute("DELETE FROM web_sessions WHERE user_id = ?", (user_id,))
        return cur.rowcount
