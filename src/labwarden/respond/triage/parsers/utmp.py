"""wtmp, btmp, utmp and lastlog: glibc's binary records, read without ``last`` or ``lastlog``.

``struct utmp`` (glibc ``bits/utmp.h``)::

    short ut_type; pid_t ut_pid; char ut_line[32]; char ut_id[4]; char ut_user[32];
    char ut_host[256]; struct exit_status { short e_termination, e_exit; } ut_exit;
    session and time; int32_t ut_addr_v6[4]; char __glibc_reserved[20];

Where ``__WORDSIZE_TIME64_COMPAT32`` is set (i386, x86-64, most 64-bit ports) the session and
the time are 32-bit (``int32_t ut_session; struct { int32_t tv_sec, tv_usec; } ut_tv``): 384
bytes a record. Elsewhere (s390x, ppc64, sparc64) they are ``long`` and ``struct timeval``:
400 bytes. Either may be little- or big-endian. The layout of a file is the one under which its
first records make sense; records that make no sense under it are skipped and counted.

``struct lastlog`` is ``{ time; char ll_line[32]; char ll_host[256]; }`` indexed by uid, with a
32-bit time (292 bytes) or a 64-bit one (296 bytes).
"""

from __future__ import annotations

import io
import ipaddress
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

UT_TYPES = {
    0: "EMPTY",
    1: "RUN_LVL",
    2: "BOOT_TIME",
    3: "NEW_TIME",
    4: "OLD_TIME",
    5: "INIT_PROCESS",
    6: "LOGIN_PROCESS",
    7: "USER_PROCESS",
    8: "DEAD_PROCESS",
    9: "ACCOUNTING",
}
EARLIEST = 315532800
"""1980-01-01: no login record is older."""
_LATEST_MARGIN = 400 * 86400
"""Records up to about a year after the collection time are accepted (clock skew)."""
SAMPLE = 64
"""Records looked at to choose a layout."""


@dataclass(frozen=True, slots=True)
class Layout:
    """One binary layout of ``struct utmp``."""

    name: str
    codec: struct.Struct


def _layout(name: str, order: str, time_fields: str, padding: str) -> Layout:
    codec = struct.Struct(f"{order}h2xi32s4s32s256shh{time_fields}16s20s{padding}")
    return Layout(name, codec)


LAYOUTS: tuple[Layout, ...] = (
    _layout("glibc 384-byte little-endian (32-bit time)", "<", "iII", ""),
    _layout("glibc 400-byte little-endian (64-bit time)", "<", "qqq", "4x"),
    _layout("glibc 384-byte big-endian (32-bit time)", ">", "iII", ""),
    _layout("glibc 400-byte big-endian (64-bit time)", ">", "qqq", "4x"),
)


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


def _address(raw: bytes) -> str | None:
    if not any(raw):
        return None
    if not any(raw[4:]):
        return str(ipaddress.IPv4Address(raw[:4]))
    return str(ipaddress.IPv6Address(raw))


@dataclass(frozen=True, slots=True)
class UtmpRecord:
    """One decoded record."""

    index: int
    """Its number in the file, from 1."""
    offset: int
    type: str
    pid: int
    line: str
    id: str
    user: str
    host: str
    session: int
    time: datetime
    ip: str | None


@dataclass(slots=True)
class UtmpFile:
    """The records of one file and what was wrong with the rest."""

    layout: Layout | None
    records: list[UtmpRecord]
    skipped: list[tuple[int, str]]
    """Record numbers that made no sense, with the reason (the first hundred)."""
    skipped_count: int
    trailing: int
    """Bytes after the last whole record (a truncated write)."""


def _problem(values: tuple[object, ...], latest: float) -> str | None:
    kind, pid, line, _id, user, host = values[:6]
    seconds = values[9]
    assert isinstance(kind, int) and isinstance(pid, int) and isinstance(seconds, int)
    if kind not in UT_TYPES:
        return f"unknown record type {kind}"
    if kind == 0:
        return None
    if pid < 0:
        return f"negative pid {pid}"
    if not EARLIEST <= seconds <= latest:
        return f"time {seconds} out of range"
    for name, raw in (("line", line), ("user", user), ("host", host)):
        assert isinstance(raw, bytes)
        text = raw.split(b"\0", 1)[0]
        if any(b < 0x20 or b == 0x7F for b in text):
            return f"control bytes in {name}"
    return None


def _score(data: bytes, layout: Layout, latest: float) -> int:
    size = layout.codec.size
    count = min(SAMPLE, len(data) // size)
    good = 0
    for index in range(count):
        values = layout.codec.unpack_from(data, index * size)
        if values[0] != 0 and _problem(values, latest) is None:
            good += 1
    return good


def choose_layout(data: bytes, latest: float) -> Layout | None:
    """The layout under which the first records make sense (``None``: none does)."""
    best, best_score = None, 0
    for layout in LAYOUTS:
        score = _score(data, layout, latest)
        whole = len(data) % layout.codec.size == 0
        key = score * 2 + (1 if whole else 0)
        if score and key > best_score:
            best, best_score = layout, key
    return best


CHUNK = 9600 * 2048
"""Bytes read at a time (a multiple of both record sizes): memory stays bounded by it."""


def _read_full(read: Callable[[int], bytes], size: int) -> bytes:
    parts: list[bytes] = []
    missing = size
    while missing > 0:
        part = read(min(missing, 1 << 16))  # small reads: a damaged stream loses little
        if not part:
            break
        parts.append(part)
        missing -= len(part)
    return b"".join(parts)


def stream_utmp(
    read: Callable[[int], bytes], result: UtmpFile, now: datetime | None = None
) -> Iterator[UtmpRecord]:
    """The records of a stream (``read(n)`` gives up to ``n`` bytes), read :data:`CHUNK` bytes
    at a time; the layout is the one the first chunk fits. ``result`` gathers the layout, the
    records skipped as nonsense and the bytes after the last whole record."""
    latest = (now or datetime.now(UTC)).timestamp() + _LATEST_MARGIN
    pending = _read_full(read, CHUNK)
    layout = choose_layout(pending, latest)
    result.layout = layout
    if layout is None:
        if pending:
            result.skipped.append((1, "no record makes sense under any glibc layout"))
            result.skipped_count = len(pending) // LAYOUTS[0].codec.size
        result.trailing = len(pending) % LAYOUTS[0].codec.size
        return
    size, index = layout.codec.size, 0
    while pending:
        whole = len(pending) - len(pending) % size
        for offset in range(0, whole, size):
            index += 1
            values = layout.codec.unpack_from(pending, offset)
            problem = _problem(values, latest)
            if problem is not None:
                result.skipped_count += 1
                if len(result.skipped) < 100:
                    result.skipped.append((index, problem))
            elif values[0] != 0:
                yield _record(index, (index - 1) * size, values)
        rest = pending[whole:]
        more = _read_full(read, CHUNK)
        if not more:
            result.trailing = len(rest)
            return
        pending = rest + more


def parse_utmp(data: bytes, now: datetime | None = None) -> UtmpFile:
    """Every record of a wtmp/btmp/utmp file; nonsense records are skipped and counted."""
    result = UtmpFile(None, [], [], 0, 0)
    result.records = list(stream_utmp(io.BytesIO(data).read, result, now))
    return result


def _record(index: int, offset: int, values: tuple[object, ...]) -> UtmpRecord:
    kind, pid, line, ident, user, host, _term, _exit, session, seconds, micros, addr, _ = values
    assert isinstance(kind, int) and isinstance(pid, int) and isinstance(session, int)
    assert isinstance(seconds, int) and isinstance(micros, int) and isinstance(addr, bytes)
    assert isinstance(line, bytes) and isinstance(ident, bytes)
    assert isinstance(user, bytes) and isinstance(host, bytes)
    when = datetime.fromtimestamp(seconds, UTC).replace(microsecond=min(max(micros, 0), 999_999))
    return UtmpRecord(
        index=index,
        offset=offset,
        type=UT_TYPES[kind],
        pid=pid,
        line=_text(line),
        id=_text(ident),
        user=_text(user),
        host=_text(host),
        session=session,
        time=when,
        ip=_address(addr),
    )


LASTLOG_LAYOUTS: tuple[tuple[str, struct.Struct], ...] = (
    ("lastlog 292-byte (32-bit time)", struct.Struct("<I32s256s")),
    ("lastlog 296-byte (64-bit time)", struct.Struct("<q32s256s")),
    ("lastlog 292-byte big-endian (32-bit time)", struct.Struct(">I32s256s")),
    ("lastlog 296-byte big-endian (64-bit time)", struct.Struct(">q32s256s")),
)


@dataclass(frozen=True, slots=True)
class LastlogRecord:
    """The last login of one uid."""

    uid: int
    time: datetime
    line: str
    host: str


def _lastlog_ok(values: tuple[object, ...], latest: float) -> bool | None:
    """``True``: a plausible login; ``None``: an empty slot; ``False``: nonsense."""
    seconds, line, host = values
    assert isinstance(seconds, int) and isinstance(line, bytes) and isinstance(host, bytes)
    if seconds == 0 and not line.strip(b"\0") and not host.strip(b"\0"):
        return None
    if not EARLIEST <= seconds <= latest:
        return False
    text = line.split(b"\0", 1)[0] + host.split(b"\0", 1)[0]
    return not any(b < 0x20 or b == 0x7F for b in text)


def parse_lastlog(
    extents: list[tuple[int, bytes]], now: datetime | None = None
) -> tuple[str | None, list[LastlogRecord], int]:
    """The records held in the data extents ``(offset, bytes)`` of a (sparse) lastlog file.

    Returns the layout's name, the records and how many slots made no sense.
    """
    latest = (now or datetime.now(UTC)).timestamp() + _LATEST_MARGIN
    best: tuple[int, int, str, struct.Struct] | None = None
    for name, codec in LASTLOG_LAYOUTS:
        good = bad = 0
        for offset, values in _slots(extents, codec):
            del offset
            verdict = _lastlog_ok(values, latest)
            good += verdict is True
            bad += verdict is False
        if good and (best is None or (good - bad, -bad) > (best[0], best[1])):
            best = (good - bad, -bad, name, codec)
    if best is None:
        return None, [], 0
    _, _, name, codec = best
    records: list[LastlogRecord] = []
    bad = 0
    for offset, values in _slots(extents, codec):
        verdict = _lastlog_ok(values, latest)
        if verdict is None:
            continue
        if verdict is False:
            bad += 1
            continue
        seconds, line, host = values
        assert isinstance(seconds, int) and isinstance(line, bytes) and isinstance(host, bytes)
        records.append(
            LastlogRecord(
                offset // codec.size,
                datetime.fromtimestamp(seconds, UTC),
                _text(line),
                _text(host),
            )
        )
    return name, records, bad


def _slots(
    extents: list[tuple[int, bytes]], codec: struct.Struct
) -> Iterator[tuple[int, tuple[object, ...]]]:
    size = codec.size
    for start, data in extents:
        first = -(-start // size) * size  # the first slot boundary inside the extent
        for offset in range(first, start + len(data) - size + 1, size):
            yield offset, codec.unpack_from(data, offset - start)
