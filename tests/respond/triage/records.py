"""Binary login records as glibc writes them, built with struct (no ``utmpdump`` needed)."""

from __future__ import annotations

import ipaddress
import struct
from datetime import datetime

TYPES = {"BOOT_TIME": 2, "LOGIN_PROCESS": 6, "USER_PROCESS": 7, "DEAD_PROCESS": 8, "RUN_LVL": 1}


def _field(text: str, size: int) -> bytes:
    return text.encode()[:size].ljust(size, b"\0")


def _address(ip: str | None) -> bytes:
    if not ip:
        return b"\0" * 16
    address = ipaddress.ip_address(ip)
    return address.packed.ljust(16, b"\0")


def utmp_record(
    kind: str,
    user: str,
    when: datetime,
    *,
    line: str = "pts/0",
    host: str = "",
    ip: str | None = None,
    pid: int = 1234,
    layout: int = 384,
    order: str = "<",
) -> bytes:
    """One ``struct utmp``: 384 bytes (32-bit time, x86-64/i386) or 400 (64-bit time)."""
    head = struct.pack(
        f"{order}h2xi32s4s32s256shh",
        TYPES[kind],
        pid,
        _field(line, 32),
        _field(line[-4:], 4),
        _field(user, 32),
        _field(host or (ip or ""), 256),
        0,
        0,
    )
    seconds = int(when.timestamp())
    micros = when.microsecond
    if layout == 384:
        times = struct.pack(f"{order}iII", 0, seconds, micros)
        tail = b""
    else:
        times = struct.pack(f"{order}qqq", 0, seconds, micros)
        tail = b"\0" * 4
    record = head + times + _address(ip) + b"\0" * 20 + tail
    assert len(record) == layout
    return record


def lastlog_record(when: datetime | None, line: str = "", host: str = "", size: int = 292) -> bytes:
    """One ``struct lastlog`` (292 bytes with a 32-bit time, 296 with a 64-bit one)."""
    seconds = int(when.timestamp()) if when else 0
    time_part = struct.pack("<I" if size == 292 else "<q", seconds)
    return time_part + _field(line, 32) + _field(host, 256)
