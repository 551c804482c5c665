"""People who may use the web server and the API: names, roles, password and token hashes.

The store keeps only hashes (an argon2 hash of the password, a SHA-256 digest of the API token);
hashing and checking are the web package's job.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from labwarden.core.errors import InputError
from labwarden.store.db import Database, utcnow

ROLES = ("viewer", "analyst", "admin")
"""Roles, least powerful first."""


@dataclass(frozen=True, slots=True)
class User:
    """A user row (without its hashes, which :meth:`UserStore.password_hash` returns)."""

    id: int
    name: str
    role: str
    has_password: bool
    token_created_at: str | None
    created_at: str
    created_by: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "has_password": self.has_password,
            "token_created_at": self.token_created_at,
            "created_at": self.created_at,
            "created_by": self.created_by,
        }


_COLUMNS = "id, name, role, password_hash IS NOT NULL, token_created_at, created_at, created_by"


def _user(row: sqlite3.Row) -> User:
    return User(row[0], row[1], row[2], bool(row[3]), row[4], row[5], row[6])


def check_role(role: str) -> str:
    """``role`` if it is one of :data:`ROLES`, else an :class:`InputError`."""
    if role not in ROLES:
        raise InputError(f"role {role!r} is not one of {', '.join(ROLES)}")
    return role


class UserStore:
    """The ``users`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(
        self,
        name: str,
        role: str,
        *,
        password_hash: str | None,
        token_hash: str,
        created_by: str,
    ) -> User:
        """Add a user; :class:`InputError` when the name is taken."""
        check_role(role)
        now = utcnow()
        with self._db.transaction():
            if self._db.one("SELECT 1 FROM users WHERE name = ?", (name,)) is not None:
                raise InputError(f"user {name!r} exists already; `labwarden users list` shows them")
            self._db.execute(
                "INSERT INTO users (name, role, password_hash, token_hash, token_created_at, "
                "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (name, role, password_hash, token_hash, now, now, created_by),
            )
        return self.get(name)

    def get(self, name: str) -> User:
        """One user by name; :class:`InputError` when there is none."""
        found = self.find(name)
        if found is None:
            raise InputError(f"no user {name!r}; `labwarden users list` shows them")
        return found

    def find(self, name: str) -> User | None:
        """One user by name, if any."""
        row = self._db.one(f"SELECT {_COLUMNS} FROM users WHERE name = ?", (name,))
        return None if row is None else _user(row)

    def by_id(self, user_id: int) -> User | None:
        """One user by id, if any."""
        row = self._db.one(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,))
        return None if row is None else _user(row)

    def by_token_hash(self, token_hash: str) -> User | None:
        """The user whose API token has this digest, if any."""
        row = self._db.one(f"SELECT {_COLUMNS} FROM users WHERE token_hash = ?", (token_hash,))
        return None if row is None else _user(row)

    def all(self) -> list[User]:
        """Every user, by name."""
        return [_user(r) for r in self._db.rows(f"SELECT {_COLUMNS} FROM users ORDER BY name")]

    def count(self, role: str | None = None) -> int:
        """How many users there are (of ``role``)."""
        if role is None:
            row = self._db.one("SELECT count(*) FROM users")
        else:
            row = self._db.one("SELECT count(*) FROM users WHERE role = ?", (role,))
        return int(row[0]) if row is not None else 0

    def password_hash(self, name: str) -> str | None:
        """The stored password hash of ``name`` (``None`` for no such user or no password)."""
        row = self._db.one("SELECT password_hash FROM users WHERE name = ?", (name,))
        return None if row is None else row[0]

    def set_password_hash(self, name: str, password_hash: str | None) -> None:
        """Replace the password hash of ``name`` (``None``: token-only)."""
        self._update(name, "password_hash = ?", (password_hash,))

    def set_token_hash(self, name: str, token_hash: str) -> None:
        """Replace the API token of ``name``: the previous one stops working at once."""
        self._update(name, "token_hash = ?, token_created_at = ?", (token_hash, utcnow()))

    def set_role(self, name: str, role: str) -> None:
        """Change the role of ``name``; refuses to leave the server without an admin."""
        check_role(role)
        with self._db.transaction():
            user = self.get(name)
            if user.role == "admin" and role != "admin":
                self._keep_an_admin(name)
            self._update(name, "role = ?", (role,))

    def remove(self, name: str) -> User:
        """Remove ``name`` (its sessions end with it); refuses to remove the last admin."""
        with self._db.transaction():
            user = self.get(name)
            if user.role == "admin":
                self._keep_an_admin(name)
            self._db.execute("DELETE FROM users WHERE id = ?", (user.id,))
        return user

    def _keep_an_admin(self, name: str) -> None:
        if self.count("admin") <= 1:
            raise InputError(
                f"{name!r} is the last admin; add another admin before removing or demoting it"
            )

    def _update(self, name: str, assignments: str, params: tuple[Any, ...]) -> None:
        with self._db.transaction():
            cur = self._db.execute(
                f"UPDATE users SET {assignments} WHERE name = ?", (*params, name)
            )
            if cur.rowcount == 0:
                raise InputError(f"no user {name!r}; `labwarden users list` shows them")
