"""Schema migrations keyed on ``PRAGMA user_version``, the same for every SQLite file.

Each database has a package of numbered steps (``labwarden.store.migrations`` for the catalog,
``labwarden.store.migrations.ledger`` for the lake's ledger). A step is a file
``NNNN_what_it_does.sql`` (statements separated by ``;``) or ``NNNN_what_it_does.py`` (a module
with ``apply(conn, path)`` and optionally ``finish(path)``, for steps that move data in from
outside the database). Steps run in order, each in its own transaction that also sets the
version, so a killed migration leaves the database at the last complete step. ``finish`` runs
after its step committed (to remove what the step imported).
"""

from __future__ import annotations

import importlib
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import ModuleType

from labwarden.core.errors import WorkspaceError

CATALOG = "labwarden.store.migrations"
"""The catalog's migrations."""
LEDGER = "labwarden.store.migrations.ledger"
"""The lake ledger's migrations."""

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.(sql|py)$")


@dataclass(frozen=True, slots=True)
class Step:
    """One numbered migration step."""

    number: int
    name: str
    sql: str | None
    """The statements of a ``.sql`` step."""
    module: str | None
    """The module of a ``.py`` step."""

    def apply(self, conn: sqlite3.Connection, path: Path) -> None:
        """Run the step on ``conn`` (inside the caller's transaction)."""
        if self.sql is not None:
            for statement in _statements(self.sql):
                conn.execute(statement)
            return
        _function(self._load(), "apply")(conn, path)

    def finish(self, path: Path) -> None:
        """What a Python step does once its transaction committed."""
        if self.module is not None:
            finish = getattr(self._load(), "finish", None)
            if finish is not None:
                finish(path)

    def _load(self) -> ModuleType:
        assert self.module is not None
        return importlib.import_module(self.module)


def _function(module: ModuleType, name: str) -> Callable[[sqlite3.Connection, Path], None]:
    found: Callable[[sqlite3.Connection, Path], None] = getattr(module, name)
    return found


def available(package: str = CATALOG) -> list[Step]:
    """The migration steps of ``package``, lowest number first."""
    found: list[Step] = []
    for entry in resources.files(package).iterdir():
        match = _NAME.match(entry.name)
        if not match:
            continue
        number, suffix = int(match.group(1)), match.group(2)
        if suffix == "sql":
            found.append(Step(number, entry.name, entry.read_text(encoding="utf-8"), None))
        else:
            found.append(Step(number, entry.name, None, f"{package}.{entry.name[:-3]}"))
    found.sort(key=lambda s: s.number)
    numbers = [s.number for s in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(
            f"{package}: migration numbers must run 1..n without gaps, got {numbers}"
        )
    return found


def latest_version(package: str = CATALOG) -> int:
    """The schema version this labwarden writes for the database of ``package``."""
    return len(available(package))


def migrate(
    conn: sqlite3.Connection, path: Path, package: str = CATALOG, what: str = "catalog"
) -> int:
    """Bring the database at ``path`` up to the latest version of ``package``.

    The version is read again inside each step's transaction: two processes opening a new
    database at once apply every step once.
    """
    steps = available(package)
    if _version(conn) > len(steps):
        raise WorkspaceError(
            f"{path}: {what} schema version {_version(conn)} is newer than this labwarden "
            f"understands ({len(steps)}); upgrade labwarden"
        )
    for step in steps[_version(conn) :]:
        try:
            conn.execute("BEGIN IMMEDIATE")
            if _version(conn) >= step.number:  # another process applied it meanwhile
                conn.execute("COMMIT")
                continue
            step.apply(conn, path)
            conn.execute(f"PRAGMA user_version = {step.number}")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(conn)
            raise WorkspaceError(f"{path}: migration {step.name} failed: {exc}") from exc
        except BaseException:
            _rollback(conn)
            raise
        step.finish(path)
    return len(steps)


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _statements(sql: str) -> list[str]:
    """Split a migration file into statements (the files hold no triggers or strings with ';')."""
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
