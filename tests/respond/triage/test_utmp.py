"""wtmp/btmp/utmp and lastlog in every glibc layout, built byte for byte with struct."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labwarden.respond.triage.parsers.utmp import UT_TYPES, parse_lastlog, parse_utmp
from tests.respond.triage.records import lastlog_record, utmp_record

WHEN = datetime(2026, 3, 14, 9, 26, 53, 589000, tzinfo=UTC)
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _session(layout: int, order: str) -> bytes:
    record = partial(utmp_record, layout=layout, order=order)
    minute = timedelta(minutes=1)
    return b"".join(
        [
            record("BOOT_TIME", "reboot", WHEN, line="~", host="6.1.0", pid=0),
            record("LOGIN_PROCESS", "LOGIN", WHEN, line="tty1", pid=600),
            record("USER_PROCESS", "alice", WHEN + minute, ip="10.20.0.15"),
            record("USER_PROCESS", "bob", WHEN + 2 * minute, ip="2001:db8::7", pid=99),
            record("DEAD_PROCESS", "", WHEN + timedelta(hours=1)),
        ]
    )


@pytest.mark.parametrize(("layout", "order"), [(384, "<"), (400, "<"), (384, ">"), (400, ">")])
def test_every_glibc_layout_is_read(layout: int, order: str) -> None:
    parsed = parse_utmp(_session(layout, order), NOW)
    assert parsed.layout is not None and parsed.layout.codec.size == layout
    assert parsed.skipped_count == 0 and parsed.trailing == 0
    types = [r.type for r in parsed.records]
    assert types == ["BOOT_TIME", "LOGIN_PROCESS", "USER_PROCESS", "USER_PROCESS", "DEAD_PROCESS"]
    alice, bob = parsed.records[2], parsed.records[3]
    assert (alice.user, alice.ip, alice.line, alice.time) == (
        "alice",
        "10.20.0.15",
        "pts/0",
        WHEN + timedelta(minutes=1),
    )
    assert (bob.ip, bob.pid, bob.index, bob.offset) == ("2001:db8::7", 99, 4, 3 * layout)
    assert parsed.records[0].host == "6.1.0"


def test_corrupt_records_are_skipped_and_counted() -> None:
    good = _session(384, "<")
    garbage = bytes(range(256)) + bytes(128)  # one 384-byte record of nonsense
    future = utmp_record("USER_PROCESS", "mallory", datetime(2090, 1, 1, tzinfo=UTC))
    data = good[:768] + garbage + future + good[768:]
    parsed = parse_utmp(data, NOW)
    assert [r.user for r in parsed.records] == ["reboot", "LOGIN", "alice", "bob", ""]
    assert parsed.skipped_count == 2
    reasons = dict(parsed.skipped)
    assert "unknown record type" in reasons[3]
    assert "out of range" in reasons[4]


def test_a_truncated_write_leaves_trailing_bytes_noted() -> None:
    data = _session(384, "<")
    parsed = parse_utmp(data[:-100], NOW)
    assert parsed.trailing == 284
    assert [r.type for r in parsed.records][-1] == "USER_PROCESS"


def test_control_bytes_in_names_make_a_record_corrupt() -> None:
    bad = utmp_record("USER_PROCESS", "al\x01ce", WHEN)
    parsed = parse_utmp(_session(384, "<") + bad, NOW)
    assert parsed.skipped == [(6, "control bytes in user")]


def test_nothing_readable_is_said_so() -> None:
    parsed = parse_utmp(b"\xff" * 1000, NOW)
    assert parsed.layout is None and parsed.records == [] and parsed.skipped


@given(st.binary(max_size=5000))
def test_any_bytes_parse_without_raising(data: bytes) -> None:
    parsed = parse_utmp(data, NOW)
    for record in parsed.records:
        assert record.type in set(UT_TYPES.values()) - {"EMPTY"}


@pytest.mark.parametrize("size", [292, 296])
def test_lastlog_records_by_uid(size: int) -> None:
    data = lastlog_record(None, size=size) * 1000
    data += lastlog_record(WHEN, "pts/3", "10.20.0.15", size=size)
    data += lastlog_record(None, size=size) * 10
    data += lastlog_record(WHEN + timedelta(days=1), "tty1", "", size=size)
    layout, records, bad = parse_lastlog([(0, data)], NOW)
    assert layout is not None and str(size) in layout and bad == 0
    assert [(r.uid, r.line, r.host, r.time) for r in records] == [
        (1000, "pts/3", "10.20.0.15", WHEN.replace(microsecond=0)),
        (1011, "tty1", "", (WHEN + timedelta(days=1)).replace(microsecond=0)),
    ]


def test_lastlog_extents_of_a_sparse_file() -> None:
    # uid 65534 (nobody) far into the file: only its extent is read
    offset = 65534 * 292
    extent = lastlog_record(WHEN, "pts/1", "198.51.100.7")
    _, records, _ = parse_lastlog([(0, lastlog_record(None) * 3), (offset, extent)], NOW)
    assert [(r.uid, r.host) for r in records] == [(65534, "198.51.100.7")]


@given(st.lists(st.tuples(st.integers(0, 10**7), st.binary(max_size=1200)), max_size=4))
def test_lastlog_any_extents_parse_without_raising(extents: list[tuple[int, bytes]]) -> None:
    parse_lastlog(extents, NOW)
