"""One SQLite file of the workspace: its connection, its migrations and its transactions.

Every SQLite file labwarden keeps (the catalog, the lake's ledger) is opened here, in WAL mode so
that readers never wait for the one writer, and brought up to date by the same migration
mechanism (:mod:`labwarden.store.migrate`). The connection never leaves ``store/``: typed stores
receive a :class:`Database` and run their queries through it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from labwarden.core.errors import WorkspaceError
from labwarden.store.migrate import migrate

Params = Sequence[Any] | dict[str, Any]


def utcnow() -> str:
    """The current time as an ISO 8601 UTC string with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def storable(text: str | None) -> str | None:
    """``text`` as SQLite can store it: undecodable bytes a check kept as lone surrogates (from
    names or strings inside a hostile file) are written as ``\\udcXX`` escapes."""
    if text is None:
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


class Database:
    """A migrated SQLite connection with re-entrant write transactions.

    :meth:`transaction` is ``BEGIN IMMEDIATE`` ... ``COMMIT`` (rolled back on any exception); a
    transaction opened inside another joins it, so a store method that writes atomically on its
    own also composes into a larger unit of work.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, what: str = "database") -> None:
        self._conn = conn
        self.path = path
        self.what = what
        self._depth = 0
        self._doomed = False
        self._reading = False

    @classmethod
    def open(
        cls,
        path: Path,
        migrations: str,
        *,
        what: str,
        foreign_keys: bool = True,
        threads: bool = False,
        timeout: float = 30.0,
    ) -> Database:
        """Open ``path`` (created if missing) and apply the migrations of package ``migrations``.

        ``what`` names the file in errors (``catalog``, ``ledger``); ``threads`` allows the
        connection to be used from several threads (the caller serializes writes).
        """
        try:
            conn = sqlite3.connect(
                path, isolation_level=None, timeout=timeout, check_same_thread=not threads
            )
        except sqlite3.Error as exc:
            raise WorkspaceError(f"{path}: cannot open the {what}: {exc}") from exc
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            if foreign_keys:
                conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn, path, migrations, what)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise WorkspaceError(f"{path}: not a usable labwarden {what}: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        return cls(conn, path, what)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction; one opened inside another joins it.

        Joining costs nothing (a scan saves thousands of assets in one transaction), and a
        failure anywhere inside dooms the whole transaction: when an inner block raises, the
        outer one rolls back, even if its caller caught the exception and went on (it then
        raises :class:`WorkspaceError` rather than commit half of a unit of work).
        """
        if self._reading:
            raise RuntimeError("a write inside a read snapshot; open a transaction instead")
        if self._depth:
            self._depth += 1
            try:
                yield
            except BaseException:
                self._doomed = True
                raise
            finally:
                self._depth -= 1
            return
        self._begin()
        self._depth, self._doomed = 1, False
        try:
            yield
        except BaseException:
            self._depth = 0
            self._conn.execute("ROLLBACK")
            raise
        self._depth = 0
        if self._doomed:
            self._conn.execute("ROLLBACK")
            raise WorkspaceError(
                f"{self.path}: a write inside this transaction failed; none of it was stored"
            )
        self._conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside the block all see one committed state of the database.

        Without it each statement sees the latest commit, so a page built from several queries
        (a list and its total) can mix the states before and after another process's commit.
        Writing inside is a programming error (:class:`RuntimeError`); inside a transaction
        or another snapshot, the block simply joins it.
        """
        if self._depth or self._reading:
            yield
            return
        self._conn.execute("BEGIN DEFERRED")
        self._reading = True
        try:
            yield
        finally:
            self._reading = False
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")

    def _begin(self) -> None:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # the busy timeout ran out
            raise WorkspaceError(
                f"{self.path}: cannot write the {self.what}: {exc} (another labwarden process "
                "is writing it; try again when it is done)"
            ) from exc

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        """Run one statement."""
        return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each of ``rows``."""
        self._conn.executemany(sql, rows)

    def rows(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Every row a query returns."""
        return self._conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row a query returns, if any."""
        row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
        return row

    def pragma(self, name: str) -> Any:
        """The value of ``PRAGMA name`` (``user_version``, ``journal_mode``...)."""
        if not name.isidentifier():
            raise ValueError(f"not a pragma name: {name!r}")
        return self._conn.execute(f"PRAGMA {name}").fetchone()[0]


__all__ = ["Database", "storable", "utcnow"]
