"""The lake's ledger: entries by path, and the JSON ledger of 0.1.0 migrated away."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
from pathlib import Path

from labwarden.store.lake import Lake
from labwarden.store.ledger import Ledger, LedgerEntry


def _entry(path: Path, events: int = 2) -> LedgerEntry:
    return LedgerEntry(str(path.absolute()), 10, "d", 2, events, False, "http", "then")


def _legacy(lake: Lake, entry: LedgerEntry) -> Path:
    lake.legacy_ledger_dir.mkdir(exist_ok=True)
    key = hashlib.blake2b(entry.path.encode(), digest_size=16).hexdigest()
    path = lake.legacy_ledger_dir / f"{key}.json"
    path.write_text(json.dumps(dataclasses.asdict(entry)))
    return path


def test_entries_round_trip_and_replace(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "lake" / "_ledger.sqlite")
    log = tmp_path / "a.log"
    ledger.record(_entry(log, 1))
    ledger.record(_entry(log, 5))
    assert ledger.entries([log, tmp_path / "b.log"]) == {str(log.absolute()): _entry(log, 5)}
    ledger.close()
    assert Ledger(ledger.path).entries([log])[str(log.absolute())].events == 5


def test_the_json_ledger_is_imported_once_and_removed(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake").ensure()
    old, both = tmp_path / "old.log", tmp_path / "both.log"
    _legacy(lake, _entry(old))
    _legacy(lake, _entry(both, events=1))
    (lake.legacy_ledger_dir / "broken.json").write_text("{not json")
    (lake.legacy_ledger_dir / "wrong-fields.json").write_text('{"path": "/x"}')
    # An entry the SQLite ledger already holds is newer than the JSON one.
    sqlite_side = Ledger(lake.ledger_path)
    sqlite_side.record(_entry(both, events=7))
    sqlite_side.close()
    # (The ledger above was created before the JSON files: drop its version so the
    # migration runs as it would on a 0.1.0 workspace.)
    raw = sqlite3.connect(lake.ledger_path)
    raw.execute("PRAGMA user_version = 1")
    raw.close()
    found = lake.ledgers([old, both])
    assert found == {str(old.absolute()): _entry(old), str(both.absolute()): _entry(both, 7)}
    assert not lake.legacy_ledger_dir.exists()
    lake.close()
    assert Lake(lake.root).ledger(old) == _entry(old)


def test_damaged_entries_are_no_entries(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake").ensure()
    good = _entry(tmp_path / "good.log")
    lake.record(good)
    raw = sqlite3.connect(lake.ledger_path)
    damaged = [
        "{not json",
        "[]",
        "null",
        '{"path": "/x"}',
        json.dumps({**dataclasses.asdict(good), "size": "10"}),
        json.dumps({**dataclasses.asdict(good), "size": -1}),
        json.dumps({**dataclasses.asdict(good), "compressed": 1}),
        json.dumps({**dataclasses.asdict(good), "lines": True}),
        json.dumps({**dataclasses.asdict(good), "extra": 1}),
        "[" * 100_000,
    ]
    with raw:
        raw.executemany(
            "INSERT INTO ledger (path, entry) VALUES (?, ?)",
            [(f"/bad/{i}.log", text) for i, text in enumerate(damaged)],
        )
    raw.close()
    paths = [Path(f"/bad/{i}.log") for i in range(len(damaged))]
    assert lake.ledgers([tmp_path / "good.log", *paths]) == {good.path: good}


def test_the_json_ledger_migration_reads_only_small_regular_files(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake").ensure()
    kept = _entry(tmp_path / "kept.log")
    _legacy(lake, kept)
    (lake.legacy_ledger_dir / "device.json").symlink_to("/dev/zero")
    (lake.legacy_ledger_dir / "loop.json").symlink_to(lake.legacy_ledger_dir / "loop.json")
    (lake.legacy_ledger_dir / "folder.json").mkdir()
    (lake.legacy_ledger_dir / "huge.json").write_text(" " * (1 << 20))
    (lake.legacy_ledger_dir / "binary.json").write_bytes(b"\xff\xfe\x00")
    assert lake.ledgers([tmp_path / "kept.log"]) == {kept.path: kept}
    assert not lake.legacy_ledger_dir.exists()


def test_a_ledger_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    import pytest

    from labwarden.core.errors import WorkspaceError

    lake = Lake(tmp_path / "lake").ensure()
    lake.ledger_path.write_bytes(b"not sqlite at all" * 64)
    with pytest.raises(WorkspaceError, match=r"_ledger\.sqlite: not a usable labwarden ledger"):
        lake.ledgers([tmp_path / "a.log"])
