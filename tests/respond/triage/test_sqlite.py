"""wtmpdb and lastlog2 read from their bytes, checked against SQLite itself (the test may open
a database: it builds the evidence; triage only reads it as bytes)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labwarden.respond.triage.parsers.sqlite import Database, SQLiteError, varint

WTMP = (
    "CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT NOT NULL, "
    "Login INTEGER, Logout INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT)"
)
LASTLOG2 = (
    "CREATE TABLE Lastlog2(Name TEXT PRIMARY KEY, Time INTEGER NOT NULL, TTY TEXT, "
    "RemoteHost TEXT, PAM_service TEXT)"
)


def build(path: Path, rows: int, page_size: int = 4096) -> bytes:
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA page_size = {page_size}")
    db.execute(WTMP)
    db.execute(LASTLOG2)
    db.executemany(
        "INSERT INTO wtmp(Type, User, Login, Logout, TTY, RemoteHost, Service) VALUES "
        "(?, ?, ?, ?, ?, ?, ?)",
        [
            (1 if i % 100 == 0 else 3, f"user{i}", 1_700_000_000_000_000 + i, None, "pts/0",
             f"10.0.{i % 250}.{i // 250}", "sshd" + "x" * (i % 9000))
            for i in range(rows)
        ],
    )  # fmt: skip
    db.execute("INSERT INTO Lastlog2 VALUES ('alice', 1700000000, 'pts/1', '192.0.2.1', 'sshd')")
    db.commit()
    db.close()
    return path.read_bytes()


@pytest.mark.parametrize("page_size", [512, 4096, 65536])
def test_rows_match_sqlite(tmp_path: Path, page_size: int) -> None:
    data = build(tmp_path / "wtmp.db", 3000, page_size)
    database = Database(data)
    rows = list(database.table("wtmp"))
    expected = sqlite3.connect(tmp_path / "wtmp.db").execute("SELECT * FROM wtmp ORDER BY ID")
    assert [(r["ID"], r["User"], r["Login"], r["Service"]) for r in rows] == [
        (e[0], e[2], e[3], e[7]) for e in expected
    ]
    assert database.problems == []
    assert list(database.table("lastlog2")) == [
        {"rowid": 1, "Name": "alice", "Time": 1700000000, "TTY": "pts/1",
         "RemoteHost": "192.0.2.1", "PAM_service": "sshd"}
    ]  # fmt: skip
    assert list(database.table("missing")) == []


def test_damaged_pages_are_reported_and_the_rest_kept(tmp_path: Path) -> None:
    data = bytearray(build(tmp_path / "wtmp.db", 3000))
    data[4096 * 5 : 4096 * 6] = b"\xff" * 4096  # one page of garbage
    database = Database(bytes(data))
    rows = list(database.table("wtmp"))
    assert 0 < len(rows) < 3000 and database.problems
    with pytest.raises(SQLiteError, match="not an SQLite"):
        Database(b"not a database")


def test_varints() -> None:
    assert varint(b"\x7f", 0) == (127, 1)
    assert varint(b"\x81\x00", 0) == (128, 2)
    assert varint(b"\xff" * 9, 0) == ((1 << 64) - 1, 9)
    with pytest.raises(SQLiteError):
        varint(b"\x81", 0)


@given(st.binary(min_size=0, max_size=3000))
def test_any_bytes_after_a_header_never_crash(tail: bytes) -> None:
    header = bytearray(b"SQLite format 3\x00" + b"\x02\x00" + b"\x01\x01\x00" + bytes(81))
    try:
        database = Database(bytes(header) + tail)
    except SQLiteError:
        return
    list(database.table("wtmp"))


def test_a_root_tree_with_wtmpdb_instead_of_wtmp(tmp_path: Path) -> None:
    from datetime import timedelta

    from labwarden.respond.triage import TriageOptions, run_triage
    from tests.respond.triage.trees import NOW, stock

    root = tmp_path / "r"
    stock(root)
    (root / "var/log/wtmp").unlink()
    folder = root / "var/lib/wtmpdb"
    folder.mkdir(parents=True)
    db = sqlite3.connect(folder / "wtmp.db")
    db.execute(WTMP)
    logins = [(NOW - timedelta(days=d), "10.20.0.15") for d in (90, 60, 30)]
    logins.append((NOW - timedelta(hours=5), "198.51.100.23"))
    db.executemany(
        "INSERT INTO wtmp(Type, User, Login, TTY, RemoteHost, Service) VALUES (3, 'alice', ?, "
        "'pts/0', ?, 'sshd')",
        [(int(when.timestamp() * 1_000_000), host) for when, host in logins],
    )
    db.commit()
    db.close()
    result = run_triage(TriageOptions(root=root, output=tmp_path / "w.tar.gz"))
    read = [r for r in result.collected.logins if r.source == "wtmpdb"]
    assert [r.ip for r in read] == ["10.20.0.15"] * 3 + ["198.51.100.23"]
    new = [f for f in result.findings if f.rule == "triage.auth.new-source"]
    assert [(f.location.path, f.location.line) for f in new] == [("/var/lib/wtmpdb/wtmp.db", 4)]
