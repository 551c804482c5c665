"""One SQLite file: savepoints inside transactions and one migration mechanism for every file."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from labwarden.core.errors import WorkspaceError
from labwarden.store.db import Database, storable
from labwarden.store.migrate import CATALOG, LEDGER, available, latest_version


def _count(db: Database) -> int:
    row = db.one("SELECT count(*) FROM ledger")
    assert row is not None
    return int(row[0])


def _entry(path: str) -> tuple[str, str]:
    return path, f'{{"path": "{path}"}}'


def test_a_failed_inner_transaction_dooms_the_outer_one(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "l.sqlite", LEDGER, what="ledger")
    with db.transaction():
        db.execute("INSERT INTO ledger VALUES (?, ?)", _entry("/a"))
        with db.transaction():
            db.execute("INSERT INTO ledger VALUES (?, ?)", _entry("/b"))
    assert _count(db) == 2
    with pytest.raises(WorkspaceError, match="none of it was stored"), db.transaction():
        db.execute("INSERT INTO ledger VALUES (?, ?)", _entry("/c"))
        with pytest.raises(RuntimeError), db.transaction():
            db.execute("INSERT INTO ledger VALUES (?, ?)", _entry("/d"))
            raise RuntimeError("inner step failed")
        db.execute("INSERT INTO ledger VALUES (?, ?)", _entry("/e"))
    with pytest.raises(RuntimeError), db.transaction():
        db.execute("INSERT INTO ledger VALUES (?, ?)", _entry("/f"))
        raise RuntimeError("outer failed")
    assert [r[0] for r in db.rows("SELECT path FROM ledger ORDER BY path")] == ["/a", "/b"]
    with db.transaction():  # the next transaction starts clean
        db.execute("INSERT INTO ledger VALUES (?, ?)", _entry("/g"))
    assert _count(db) == 3
    db.close()


def test_a_snapshot_reads_one_committed_state(tmp_path: Path) -> None:
    reader = Database.open(tmp_path / "l.sqlite", LEDGER, what="ledger")
    writer = Database.open(tmp_path / "l.sqlite", LEDGER, what="ledger")
    with writer.transaction():
        writer.execute("INSERT INTO ledger VALUES (?, ?)", _entry("/a"))
    with reader.snapshot():
        assert _count(reader) == 1
        with writer.transaction():
            writer.execute("INSERT INTO ledger VALUES (?, ?)", _entry("/b"))
        with reader.snapshot():  # a nested snapshot joins the outer one
            assert _count(reader) == 1
        with pytest.raises(RuntimeError, match="read snapshot"), reader.transaction():
            pass
    assert _count(reader) == 2  # outside, the latest commit
    with reader.transaction(), reader.snapshot():  # inside a transaction it joins it
        reader.execute("INSERT INTO ledger VALUES (?, ?)", _entry("/c"))
    assert _count(writer) == 3
    reader.close()
    writer.close()


def test_every_database_has_numbered_steps_without_gaps() -> None:
    for package in (CATALOG, LEDGER):
        steps = available(package)
        assert [s.number for s in steps] == list(range(1, latest_version(package) + 1))
        assert all((s.sql is None) != (s.module is None) for s in steps)


def test_the_ledger_is_migrated_and_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "_ledger.sqlite"
    db = Database.open(path, LEDGER, what="ledger")
    assert db.pragma("user_version") == latest_version(LEDGER)
    assert db.pragma("journal_mode") == "wal"
    db.close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {latest_version(LEDGER) + 1}")
    raw.close()
    with pytest.raises(WorkspaceError, match=r"ledger schema version \d+ is newer"):
        Database.open(path, LEDGER, what="ledger")


def test_a_ledger_from_before_migrations_keeps_its_entries(tmp_path: Path) -> None:
    path = tmp_path / "_ledger.sqlite"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE ledger (path TEXT PRIMARY KEY, entry TEXT NOT NULL)")
    raw.execute("INSERT INTO ledger VALUES (?, ?)", _entry("/old.log"))
    raw.commit()
    raw.close()
    db = Database.open(path, LEDGER, what="ledger")
    assert _count(db) == 1
    db.close()


def test_two_processes_opening_a_new_catalog_migrate_it_once(tmp_path: Path) -> None:
    path = tmp_path / "catalog.db"
    errors: list[BaseException] = []
    opened: list[Database] = []

    def open_it() -> None:
        try:
            opened.append(Database.open(path, CATALOG, what="catalog", threads=True))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {db.pragma("user_version") for db in opened} == {latest_version(CATALOG)}
    for db in opened:
        db.close()


def test_a_directory_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="cannot open the catalog"):
        Database.open(tmp_path, CATALOG, what="catalog")


def test_storable_escapes_lone_surrogates() -> None:
    assert storable("ok") == "ok"
    assert storable(None) is None
    assert storable("bad\udcff") == "bad\\udcff"


def test_a_writer_that_cannot_get_the_lock_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "catalog.db"
    holder = Database.open(path, CATALOG, what="catalog")
    waiter = Database.open(path, CATALOG, what="catalog", timeout=0.2)
    with holder.transaction():
        holder.execute(
            "INSERT INTO scans (started_at, status, roots, digest_algorithm) "
            "VALUES ('now', 'running', '[]', 'blake3')"
        )
        locked = pytest.raises(WorkspaceError, match="another labwarden process is writing")
        with locked, waiter.transaction():
            pass  # pragma: no cover - the lock is never granted
    with waiter.transaction():  # and once the writer is done, it can
        waiter.execute("UPDATE scans SET status = 'complete'")
    holder.close()
    waiter.close()
