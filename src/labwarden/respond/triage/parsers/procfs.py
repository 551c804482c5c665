"""The text files of /proc/<pid>: ``stat`` and ``status``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Stat:
    """The fields of /proc/<pid>/stat that triage uses."""

    comm: str
    state: str
    ppid: int
    tty: int
    utime: int
    stime: int
    start_ticks: int
    """Clock ticks after boot when the process started."""
    rss_pages: int


def parse_stat(text: str) -> Stat | None:
    """``pid (comm) state ppid ...``; the name may hold spaces and parentheses, so it ends at
    the last ``)``. ``None`` when the line is not of that shape."""
    open_at, close_at = text.find("("), text.rfind(")")
    if open_at < 0 or close_at < open_at:
        return None
    rest = text[close_at + 1 :].split()
    if len(rest) < 22:
        return None
    try:
        return Stat(
            comm=text[open_at + 1 : close_at],
            state=rest[0],
            ppid=int(rest[1]),
            tty=int(rest[4]),
            utime=int(rest[11]),
            stime=int(rest[12]),
            start_ticks=int(rest[19]),
            rss_pages=int(rest[21]),
        )
    except ValueError:
        return None


def parse_status(text: str) -> dict[str, str]:
    """``Key:\\tvalue`` lines as a dictionary."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            out[key.strip()] = value.strip()
    return out


def real_uid(status: dict[str, str]) -> int | None:
    """The real uid from ``Uid:`` (real, effective, saved, filesystem)."""
    fields = status.get("Uid", "").split()
    return int(fields[0]) if fields and fields[0].isdigit() else None
