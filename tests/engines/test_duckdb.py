"""The DuckDB engine: no extension downloads, UTC, a typed view over an empty or full lake."""

from __future__ import annotations

from pathlib import Path

from labwarden.core.events import CONTEXT_COLUMNS, LAKE_COLUMNS
from labwarden.engines.duckdb import connect, create_events_view


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


def test_empty_lake_view_has_every_column(tmp_path: Path) -> None:
    con = connect()
    assert create_events_view(con, tmp_path / "nothing") == 0
    names = [r[0] for r in con.rows("DESCRIBE events")]
    derived = {*CONTEXT_COLUMNS}
    assert names == [c for c in LAKE_COLUMNS if not c.startswith("novel_") and c not in derived]
    assert con.rows("SELECT count(*) FROM events") == [(0,)]
