"""The DuckDB engine: no extension downloads, UTC, a memory cap with a private spill folder,
a typed view over an empty or full lake."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from labwarden.core.errors import InputError
from labwarden.core.events import CONTEXT_COLUMNS, LAKE_COLUMNS
from labwarden.engines.duckdb import MEMORY_ENV, connect, create_events_view, memory_cap


def test_settings() -> None:
    con = connect(threads=1)
    settings = dict(
        con.rows(
            "SELECT name, value FROM duckdb_settings() WHERE name IN "
            "('autoinstall_known_extensions', 'TimeZone', 'threads')"
        )
    )
    assert settings["autoinstall_known_extensions"] == "false"
    assert settings["TimeZone"] == "UTC"
    assert settings["threads"] == "1"


def test_a_table_larger_than_the_cap_spills_to_a_private_folder_removed_on_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    con = connect(threads=1, memory_limit="64MB")
    # About 200 MB of distinct strings: more than three times the cap.
    con.execute(
        "CREATE TEMP TABLE big AS SELECT i, md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS a "
        "FROM range(2000000) r(i)"
    )
    spilled = [p for p in tmp_path.iterdir() if p.name.startswith("labwarden-duckdb-")]
    assert len(spilled) == 1 and any(spilled[0].iterdir())
    assert con.rows("SELECT count(DISTINCT a), max(i) FROM big") == [(2_000_000, 1_999_999)]
    con.close()
    assert not spilled[0].exists()


def test_sessions_that_do_not_spill_leave_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    first, second = connect(), connect()
    assert first.rows("SELECT 1") == [(1,)]
    folders = {
        row[0]
        for con in (first, second)
        for row in con.rows("SELECT current_setting('temp_directory')")
    }
    assert len(folders) == 2  # two sessions never share spill files
    first.close()
    second.close()
    assert list(tmp_path.iterdir()) == []


def test_the_cap_is_half_the_memory_or_the_environment_s(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    total_mib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    cap = memory_cap()
    assert cap is not None and abs(int(cap.removesuffix("MB")) - total_mib // 2) <= 1
    monkeypatch.setenv(MEMORY_ENV, "3GB")
    assert memory_cap() == "3GB"
    con = connect()
    assert con.rows("SELECT current_setting('memory_limit')") == [("2.7 GiB",)]
    con.close()


@pytest.mark.parametrize("value", ["bogus", "12", "8 parsecs", "-1GB"])
def test_a_bad_cap_in_the_environment_is_an_input_error(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MEMORY_ENV, value)
    with pytest.raises(InputError, match=f"{MEMORY_ENV}=.*not a size"):
        connect()


def test_empty_lake_view_has_every_column(tmp_path: Path) -> None:
    con = connect()
    assert create_events_view(con, tmp_path / "nothing") == 0
    names = [r[0] for r in con.rows("DESCRIBE events")]
    derived = {*CONTEXT_COLUMNS}
    assert names == [c for c in LAKE_COLUMNS if not c.startswith("novel_") and c not in derived]
    assert con.rows("SELECT count(*) FROM events") == [(0,)]
