"""Ingest: corpus into the lake, idempotence, growth, kills, bad files, asset resolution."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from labwarden.engines.duckdb import connect, create_events_view
from labwarden.store.lake import Lake
from labwarden.watch.enrich import Enricher
from labwarden.watch.ingest import Ingestor, ingest
from labwarden.watch.resources import Resolver, load_resolver
from tests.conftest import corpora_path
from tests.watch.parsers.test_cloudtrail import RECORD

HTTP = (
    '10.20.1.5 - akumar [01/Oct/2026:09:00:{s:02d} +0000] "GET /api/models/m{s} HTTP/1.1" '
    '200 10 "-" "ua"\n'
)


def _count(lake: Path, where: str = "true") -> int:
    con = connect()
    create_events_view(con, lake)
    return int(con.rows(f"SELECT count(*) FROM events WHERE {where}")[0][0])


def test_corpus_twice_adds_nothing(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    logs = corpora_path("logs")
    first = ingest([logs], lake, Resolver.empty())
    assert first.by_source["cloudtrail"] == 2900
    assert first.by_source["s3access"] == 10
    assert first.by_source["authlog"] == 3999
    assert {i.line for i in first.issues if i.file.endswith("Linux_2k.log")}
    assert sum(1 for f in first.files if f.status == "failed") == 2  # the two LICENSE files
    total = _count(lake.root)
    second = ingest([logs], lake, Resolver.empty())
    assert second.events == 0 and _count(lake.root) == total == 6909
    # A copy of a file elsewhere holds the same bytes: nothing new either.
    copy = tmp_path / "copy"
    shutil.copytree(logs / "cloudtrail-invictus", copy)
    assert ingest([copy], lake, Resolver.empty()).parts_written == 0
    assert _count(lake.root) == total


def _parser_path_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every file of the bulk path fall back to the streaming parser."""
    from labwarden.watch import bulk

    def refuse(*_: object) -> bulk.Records:
        raise bulk.Unsupported("refused by the test")

    monkeypatch.setattr(bulk, "split_records", refuse)


@pytest.mark.parametrize("gz", [True, False])
def test_bulk_and_parser_paths_store_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gz: bool
) -> None:
    late = dict(RECORD, eventTime="2026-10-02T00:00:01Z", eventID="late")
    untimed = {k: v for k, v in RECORD.items() if k != "eventTime"}
    records = [RECORD, late, untimed, dict(RECORD, eventID="second")]
    data = json.dumps({"Records": records}, indent=1).encode()
    src = tmp_path / ("trail.json.gz" if gz else "trail.json")
    src.write_bytes(gzip.compress(data) if gz else data)
    fast = Lake(tmp_path / "fast")
    fast_result = ingest([src], fast, Resolver.empty())
    _parser_path_only(monkeypatch)
    slow = Lake(tmp_path / "slow")
    slow_result = ingest([src], slow, Resolver.empty())
    assert fast_result.events == slow_result.events == 3
    assert [(i.line, "eventTime" in i.message) for i in fast_result.issues] == [(3, True)]
    assert [i.line for i in slow_result.issues] == [3]
    names = {p.relative_to(fast.root) for p in fast.parts()}
    assert names == {p.relative_to(slow.root) for p in slow.parts()}
    assert len(names) == 2  # one part per day
    con = connect()
    rows = []
    for lake in (fast, slow):
        create_events_view(con, lake.root)
        query = "SELECT * EXCLUDE (day) FROM events ORDER BY origin_line"
        rows.append(con.table(query).to_pylist())
    assert rows[0] == rows[1]


def test_ndjson_cloudtrail_bad_line_falls_back_with_its_line(tmp_path: Path) -> None:
    lines = [json.dumps(dict(RECORD, eventID=f"e{i}")) for i in range(5)]
    lines.insert(2, "")
    lines.insert(4, '{"eventVersion": "1.09", broken')
    src = tmp_path / "export.ndjson"
    src.write_text("\n".join(lines) + "\n")
    result = ingest([src], Lake(tmp_path / "lake"), Resolver.empty())
    assert result.events == 5
    assert [i.line for i in result.issues] == [5]
    good = tmp_path / "good.ndjson"
    good.write_text("\n".join(x for x in lines if "broken" not in x) + "\n")
    result = ingest([good], Lake(tmp_path / "lake2"), Resolver.empty())
    assert result.events == 5 and not result.issues
    assert _count(tmp_path / "lake2", "origin_line = 4") == 1  # line numbers count blank lines


def test_many_small_files_make_one_part_per_day(tmp_path: Path) -> None:
    trails = tmp_path / "trails"
    trails.mkdir()
    for n in range(40):
        day = 1 + n // 20
        records = [
            dict(RECORD, eventTime=f"2026-10-0{day}T{n % 20:02d}:{i:02d}:00Z", eventID=f"{n}-{i}")
            for i in range(5)
        ]
        data = json.dumps({"Records": records}).encode()
        (trails / f"trail-{n:03d}.json.gz").write_bytes(gzip.compress(data))
    lake = Lake(tmp_path / "lake")
    first = ingest([trails], lake, Resolver.empty(), threads=1)
    assert first.events == 200 and first.parts_written == 2
    assert sorted(p.parent.name for p in lake.parts()) == ["day=2026-10-01", "day=2026-10-02"]
    # Copies of some of those files elsewhere hold batches already stored: nothing new.
    copies = tmp_path / "copies"
    copies.mkdir()
    for n in (3, 25):
        shutil.copy(trails / f"trail-{n:03d}.json.gz", copies / f"again-{n}.json.gz")
    again = ingest([copies], lake, Resolver.empty())
    assert again.parts_written == 0 and _count(lake.root) == 200
    # A new file next to them is stored, and only it.
    shutil.copy(trails / "trail-000.json.gz", copies / "dup.json.gz")
    new = [dict(RECORD, eventTime="2026-10-02T23:00:00Z", eventID="new")]
    (copies / "new.json").write_text(json.dumps({"Records": new}))
    assert ingest([copies], lake, Resolver.empty()).parts_written == 1
    assert _count(lake.root) == 201


def test_parts_piling_up_in_a_day_are_compacted(tmp_path: Path) -> None:
    from labwarden.store.lake import COMPACT_AT

    lake = Lake(tmp_path / "lake")
    trails = tmp_path / "trails"
    trails.mkdir()
    for n in range(COMPACT_AT + 3):  # one new file per run, as `labwarden watch` sees them
        record = dict(RECORD, eventTime=f"2026-10-01T10:{n:02d}:00Z", eventID=f"e{n}")
        (trails / f"t{n:02d}.json").write_text(json.dumps({"Records": [record]}))
        result = ingest([trails], lake, Resolver.empty())
        assert result.events == 1
        assert result.compacted == (1 if n == COMPACT_AT - 1 else 0)
    assert len(lake.parts()) == 4 and _count(lake.root) == COMPACT_AT + 3
    # Every file's batch is still known: copies add nothing.
    shutil.copytree(trails, tmp_path / "copies")
    assert ingest([tmp_path / "copies"], lake, Resolver.empty()).parts_written == 0
    assert _count(lake.root) == COMPACT_AT + 3


def test_growing_file_ingests_only_the_tail(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("".join(HTTP.format(s=s) for s in range(3)))
    lake = Lake(tmp_path / "lake")
    assert ingest([log], lake, Resolver.empty()).events == 3
    with log.open("a") as handle:
        handle.write("".join(HTTP.format(s=s) for s in range(3, 5)))
        handle.write("broken line\n")
    again = ingest([log], lake, Resolver.empty())
    assert again.events == 2
    assert [(i.line, i.message[:10]) for i in again.issues] == [(6, "HTTP acces")]
    assert _count(lake.root) == 5
    con = connect()
    create_events_view(con, lake.root)
    lines = sorted(r[0] for r in con.rows("SELECT origin_line FROM events"))
    assert lines == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("kind", ["http", "cloudtrail-ndjson"])
def test_lines_appended_while_ingesting_wait_for_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    def line(n: int) -> str:
        if kind == "http":
            return HTTP.format(s=n)
        return json.dumps(dict(RECORD, eventID=f"e{n}")) + "\n"

    log = tmp_path / ("access.log" if kind == "http" else "export.ndjson")
    log.write_text("".join(line(n) for n in range(3)))
    planned = Ingestor._plan

    def plan_then_grow(self: Ingestor, path: Path, before: object) -> object:
        found = planned(self, path, before)  # type: ignore[arg-type]
        with path.open("a") as handle:  # a writer appends after the size was taken
            handle.write("".join(line(n) for n in range(3, 5)))
        return found

    monkeypatch.setattr(Ingestor, "_plan", plan_then_grow)
    lake = Lake(tmp_path / "lake")
    assert ingest([log], lake, Resolver.empty()).events == 3
    monkeypatch.undo()
    assert ingest([log], lake, Resolver.empty()).events == 2
    assert _count(lake.root) == 5
    con = connect()
    create_events_view(con, lake.root)
    lines = sorted(r[0] for r in con.rows("SELECT origin_line FROM events"))
    assert lines == [1, 2, 3, 4, 5]


def test_killed_ingest_is_completed_without_duplicates(tmp_path: Path) -> None:
    logs = corpora_path("logs", "linux")
    lake = Lake(tmp_path / "lake")
    ingest([logs / "OpenSSH_2k.log"], lake, Resolver.empty())
    # Simulate a kill after the parts were renamed but before the ledger was written, plus a
    # half-written temporary file.
    for leftover in lake.root.glob("_ledger.sqlite*"):
        leftover.unlink()
    (lake.tmp / "half.parquet").write_bytes(b"PAR1 half")
    before = _count(lake.root)
    result = ingest([logs / "OpenSSH_2k.log"], lake, Resolver.empty())
    assert result.parts_written == 0
    assert _count(lake.root) == before == 2000


def test_unreadable_file_does_not_stop_the_run(tmp_path: Path) -> None:
    good = tmp_path / "access.log"
    good.write_text(HTTP.format(s=1))
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    result = ingest([tmp_path], Lake(tmp_path / ".lake"), Resolver.empty())
    assert result.events == 1
    assert any(i.file == str(bad) for i in result.issues)


def test_assets_resolved_from_resources_and_catalog(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "resources.toml").write_text(
        '[[resource]]\nmatch = "s3://acme-models-prod/docking/"\nname = "docking"\n'
        'kind = "model"\nsensitivity = "restricted"\n\n'
        '[[resource]]\nmatch = "s3://acme-models-prod/docking/canary.bin"\ncanary = true\n'
        'sensitivity = "restricted"\n\n'
        '[[network]]\ncidr = "198.51.100.0/24"\ncountry = "DK"\n'
    )
    records = [
        RECORD,
        {
            **RECORD,
            "eventID": "e-2",
            "requestParameters": {"bucketName": "acme-models-prod", "key": "docking/canary.bin"},
        },
        {
            **RECORD,
            "eventID": "e-3",
            "sourceIPAddress": "203.0.113.9",
            "requestParameters": {"bucketName": "other", "key": "k"},
        },
    ]
    src = tmp_path / "t.json"
    src.write_text(json.dumps({"Records": records}))
    lake = Lake(tmp_path / "lake")
    ingestor = Ingestor(lake, load_resolver(root, None))
    ingestor.run([src])
    ingestor.close()
    con = connect()
    create_events_view(con, lake.root)
    rows = con.rows(
        "SELECT event_uid, asset_name, asset_sensitivity, asset_canary, src_network, src_country "
        "FROM events ORDER BY event_uid"
    )
    assert rows == [
        ("e-1", "docking", "restricted", False, "198.51.100.0/24", "DK"),
        (
            "e-2",
            "s3://acme-models-prod/docking/canary.bin",
            "restricted",
            True,
            "198.51.100.0/24",
            "DK",
        ),
        # Unmapped: the policy's view of the key (an unknown file is internal), not nothing.
        ("e-3", "s3://other/", "internal", False, "203.0.113.0/24", "public"),
    ]


def test_bulk_network_sql_matches_python(tmp_path: Path) -> None:
    import ipaddress

    import pyarrow as pa

    from labwarden.core.events import SCHEMA, network_of
    from labwarden.watch.resources import NetworkLabel

    ips = [
        "10.1.2.3",
        "172.31.255.1",
        "172.32.0.1",
        "192.168.1.1",
        "100.64.0.9",
        "8.8.8.8",
        "198.51.100.7",
        "203.0.113.200",
        "256.1.1.1",
        "2001:db8::1",
        "s3.amazonaws.com",
        "0.0.0.0",
    ]
    resolver = Resolver(
        [],
        {},
        [
            NetworkLabel(ipaddress.ip_network("198.51.0.0/16"), "DK"),
            NetworkLabel(ipaddress.ip_network("198.51.100.0/24"), "DK-office"),
            NetworkLabel(ipaddress.ip_network("2001:db8::/32"), "v6"),
        ],
    )
    con = connect()
    table = pa.Table.from_pylist([{"src_ip": ip, "raw": "{}"} for ip in ips], schema=SCHEMA)
    with con.registered("batch", table):
        found = {
            r["src_ip"]: (r["src_network"], r["src_country"])
            for r in Enricher(resolver).networks(con).to_pylist()
        }
    assert found == {ip: (network_of(ip), resolver.network(ip)) for ip in ips}
