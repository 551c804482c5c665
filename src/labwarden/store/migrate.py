"""Schema migrations keyed on ``PRAGMA user_version``: numbered SQL files applied in order."""

from __future__ import annotations

import re
import sqlite3
from importlib import resources

from labwarden.core.errors import WorkspaceError

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def available() -> list[tuple[int, str]]:
    """The packaged migrations as ``(number, sql)`` pairs, lowest number first."""
    found: list[tuple[int, str]] = []
    for entry in resources.files("labwarden.store.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migration numbers must run 1..n without gaps, got {numbers}")
    return found


def latest_version() -> int:
    """The schema version this labwarden writes."""
    return len(available())


def migrate(conn: sqlite3.Connection, where: str) -> int:
    """Bring the catalog up to :func:`latest_version`; each step is its own transaction."""
    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
    steps = available()
    if current > len(steps):
        raise WorkspaceError(
            f"{where}: catalog schema version {current} is newer than this labwarden "
            f"understands ({len(steps)}); upgrade labwarden"
        )
    for number, sql in steps[current:]:
        try:
            conn.execute("BEGIN IMMEDIATE")
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            conn.execute("ROLLBACK")
            raise WorkspaceError(f"{where}: migration {number:04d} failed: {exc}") from exc
    return len(steps)


def _statements(sql: str) -> list[str]:
    """Split a migration file into statements (the files hold no triggers or strings with ';')."""
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
