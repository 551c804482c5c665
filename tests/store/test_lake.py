"""The lake writes parts atomically, never twice, and keeps a ledger per log file."""

from __future__ import annotations

import contextlib
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from labwarden.core.events import LAKE_SCHEMA
from labwarden.store.lake import Lake
from labwarden.store.ledger import LedgerEntry


def _table(n: int) -> pa.Table:
    rows = [
        {"time": datetime(2026, 10, 1, 8, i, tzinfo=UTC), "event_uid": f"e{i}", "raw": "{}"}
        for i in range(n)
    ]
    return pa.Table.from_pylist(rows, schema=LAKE_SCHEMA)


def test_part_written_once_and_readable(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake").ensure()
    assert lake.write_part("cloudtrail", "2026-10-01", "abc-00000", _table(3))
    assert not lake.write_part("cloudtrail", "2026-10-01", "abc-00000", _table(5))
    (part,) = lake.parts()
    assert (
        part.relative_to(lake.root).as_posix()
        == "source=cloudtrail/day=2026-10-01/abc-00000.parquet"
    )
    assert pq.read_table(part).num_rows == 3
    assert list(lake.tmp.iterdir()) == []


def test_group_part_names_its_batches_for_later_writers(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake").ensure()
    assert lake.write_group("cloudtrail", "2026-10-01", ["b-00000", "a-00000"], _table(4))
    assert not lake.write_group("cloudtrail", "2026-10-01", ["a-00000", "b-00000"], _table(4))
    (part,) = lake.parts()
    assert part.name.startswith("g-") and pq.read_table(part).num_rows == 4
    # A new writer (another run) learns the members from the part's metadata.
    later = Lake(lake.root).ensure()
    assert later.has_part("cloudtrail", "2026-10-01", "a-00000")
    assert later.has_part("cloudtrail", "2026-10-01", "b-00000")
    assert not later.has_part("cloudtrail", "2026-10-02", "a-00000")
    assert not later.has_part("cloudtrail", "2026-10-01", "c-00000")
    # One member alone is an ordinary part.
    assert later.write_group("cloudtrail", "2026-10-01", ["c-00000"], _table(1))
    assert later.part_path("cloudtrail", "2026-10-01", "c-00000").exists()


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake").ensure()
    bad = pa.table({"time": ["not a time"]})
    with contextlib.suppress(pa.ArrowInvalid, pa.ArrowTypeError, ValueError, KeyError):
        lake.write_part("x", "2026-10-01", "p", bad)
    assert lake.parts() == [] and list(lake.tmp.iterdir()) == []


def test_stale_temporary_files_are_cleaned(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake").ensure()
    old = lake.tmp / "x.parquet"
    fresh = lake.tmp / "y.parquet"
    old.write_bytes(b"half")
    fresh.write_bytes(b"being written")
    past = time.time() - 7200
    os.utime(old, (past, past))
    Lake(lake.root).ensure()
    assert not old.exists() and fresh.exists()


def test_ledger_roundtrip(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake").ensure()
    log = tmp_path / "a.log"
    assert lake.ledger(log) is None
    entry = LedgerEntry(str(log.absolute()), 10, "d", 2, 2, False, "http", "now")
    lake.record(entry)
    assert lake.ledger(log) == entry


def test_ledger_of_earlier_versions_is_still_read(tmp_path: Path) -> None:
    import dataclasses
    import hashlib

    lake = Lake(tmp_path / "lake").ensure()
    old, new = tmp_path / "old.log", tmp_path / "new.log"
    entry = LedgerEntry(str(old.absolute()), 10, "d", 2, 2, False, "http", "then")
    lake.legacy_ledger_dir.mkdir()
    key = hashlib.blake2b(entry.path.encode(), digest_size=16).hexdigest()
    (lake.legacy_ledger_dir / f"{key}.json").write_text(json.dumps(dataclasses.asdict(entry)))
    (lake.legacy_ledger_dir / "broken.json").write_text("{not json")
    assert lake.ledger(old) == entry
    assert lake.ledgers([old, new]) == {entry.path: entry}


def _day_of_parts(lake: Lake, count: int) -> None:
    for n in range(count):
        index = LAKE_SCHEMA.get_field_index("event_uid")
        table = _table(2).set_column(index, "event_uid", pa.array([f"{n}-a", f"{n}-b"]))
        lake.write_part("cloudtrail", "2026-10-01", f"batch{n:02d}-00000", table)
    lake.write_group("cloudtrail", "2026-10-01", ["g1-00000", "g2-00000"], _table(3))


def _uids(lake: Lake) -> list[str]:
    return sorted(str(u) for p in lake.parts() for u in pq.read_table(p).column("event_uid"))


def test_compaction_keeps_every_event_once_and_every_name(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake").ensure()
    _day_of_parts(lake, 5)
    before = _uids(lake)
    with lake.writing():
        merged = lake.compact("cloudtrail", "2026-10-01")
    assert merged is not None and lake.parts() == [merged]
    assert _uids(lake) == before and len(before) == 13
    later = Lake(lake.root).ensure()
    for name in ("batch00-00000", "batch04-00000", "g1-00000", "g2-00000"):
        assert later.has_part("cloudtrail", "2026-10-01", name)
    assert not (lake.root / "_compacting").exists() or not list(lake.journal_dir.iterdir())


def test_compaction_killed_after_the_rename_is_finished_by_the_next_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = Lake(tmp_path / "lake").ensure()
    _day_of_parts(lake, 3)
    before = _uids(lake)
    with monkeypatch.context() as patched:
        # Killed between renaming the new part into place and deleting the old ones.
        patched.setattr(Lake, "_finish_compactions", lambda self: None)
        with lake.writing():
            lake.compact("cloudtrail", "2026-10-01")
    assert len(_uids(lake)) == 2 * len(before)  # both visible until a writer finishes it
    with Lake(lake.root).ensure().writing():
        pass
    assert _uids(lake) == before and len(lake.parts()) == 1


def test_compaction_killed_before_the_rename_keeps_the_old_parts(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake").ensure()
    _day_of_parts(lake, 3)
    before = sorted(lake.parts())
    lake.journal_dir.mkdir()
    entry = {
        "new": "source=cloudtrail/day=2026-10-01/g-never-renamed.parquet",
        "old": [p.relative_to(lake.root).as_posix() for p in before],
    }
    (lake.journal_dir / "cloudtrail.2026-10-01.json").write_text(json.dumps(entry))
    with lake.writing():
        pass
    assert sorted(lake.parts()) == before and not list(lake.journal_dir.iterdir())


def test_a_second_writer_waits_for_the_first(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import fcntl
    import threading

    lake = Lake(tmp_path / "lake").ensure()
    lake.ensure_dirs()
    with (lake.root / ".lock").open("a") as other:  # another process's ingest, in effect
        fcntl.flock(other.fileno(), fcntl.LOCK_EX)
        release = threading.Timer(0.5, lambda: fcntl.flock(other.fileno(), fcntl.LOCK_UN))
        release.start()
        started = time.monotonic()
        with lake.writing():
            waited = time.monotonic() - started
        release.join()
    assert waited >= 0.4
    assert "another ingest is writing this lake" in caplog.text
