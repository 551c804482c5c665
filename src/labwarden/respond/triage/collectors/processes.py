"""The ``processes`` collector: /proc read natively, and the process ids /proc's listing hides.

For every process: its user, start time, executable (and whether it was deleted), command line,
working folder, ``LD_PRELOAD`` (the only variable of its environment kept), the executable
mappings that are deleted files or live in temporary folders, and its open sockets (for the
sockets collector). Everything read is archived as JSON lines, one process a line.

A process that a rootkit hides from the listing of /proc (a hooked ``readdir``) still answers
``kill(pid, 0)`` and still has ``/proc/<pid>``: every pid up to ``pid_max`` is probed, threads
are told apart by their ``Tgid``, and a pid is reported only if a second listing still misses it.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from labwarden.respond.triage.artifacts import Artifact
from labwarden.respond.triage.context import Context
from labwarden.respond.triage.host import Unreadable
from labwarden.respond.triage.model import Origin, Process
from labwarden.respond.triage.parsers.procfs import Stat, parse_stat, parse_status, real_uid

TEMP_FOLDERS = ("/tmp/", "/var/tmp/", "/dev/shm/")
_SMALL = 1 << 20


def _boot_time(ctx: Context) -> float | None:
    try:
        text = ctx.host.read("/proc/stat", 4 << 20).decode("ascii", "replace")
    except Unreadable:
        return None
    for line in text.splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    return None


def _pids(ctx: Context) -> list[int]:
    try:
        return sorted(int(name) for name in ctx.host.listdir("/proc") if name.isdigit())
    except Unreadable:
        return []


class _Reader:
    """Reads one process's files, counting what it may not read."""

    def __init__(self, ctx: Context, pid: int) -> None:
        self.ctx = ctx
        self.base = f"/proc/{pid}"
        self.denied: list[str] = []

    def text(self, name: str, limit: int = _SMALL) -> str | None:
        try:
            return self.ctx.host.read(f"{self.base}/{name}", limit).decode("utf-8", "replace")
        except Unreadable as exc:
            if exc.reason == "permission denied":
                self.denied.append(name)
            return None

    def raw(self, name: str, limit: int = _SMALL) -> bytes | None:
        try:
            return self.ctx.host.read(f"{self.base}/{name}", limit)
        except Unreadable as exc:
            if exc.reason == "permission denied":
                self.denied.append(name)
            return None

    def link(self, name: str) -> str | None:
        try:
            return self.ctx.host.readlink(f"{self.base}/{name}")
        except Unreadable as exc:
            if exc.reason == "permission denied":
                self.denied.append(name)
            return None

    def fds(self) -> dict[str, str]:
        try:
            names = [p.name for p in Path(f"{self.base}/fd").iterdir()]
        except OSError:
            self.denied.append("fd")
            return {}
        found = {}
        for name in names:
            try:
                found[name] = str(Path(f"{self.base}/fd/{name}").readlink())
            except OSError:
                continue
        return found


def _preload(environ: bytes | None) -> str | None:
    for item in (environ or b"").split(b"\0"):
        if item.startswith(b"LD_PRELOAD="):
            return item[len(b"LD_PRELOAD=") :].decode("utf-8", "replace")
    return None


def _replaced(path: str) -> bool:
    """A deleted file whose path holds a file again: an upgrade replaced it, not an intruder."""
    return os.path.exists(path.removesuffix(" (deleted)"))  # noqa: PTH110


def _flagged_maps(maps: str | None) -> list[str]:
    """Executable mappings of memfd files, files in temporary folders, and deleted files that
    nothing replaced."""
    found: list[str] = []
    for line in (maps or "").splitlines():
        fields = line.split(None, 5)
        if len(fields) < 6 or "x" not in fields[1] or not fields[5].startswith("/"):
            continue
        path = fields[5]
        odd = path.startswith(("/memfd:", *TEMP_FOLDERS)) or (
            path.endswith(" (deleted)") and not _replaced(path)
        )
        if odd and path not in found:
            found.append(path)
    return found


def _process(ctx: Context, pid: int, boot: float | None, ticks: int) -> dict[str, Any] | None:
    reader = _Reader(ctx, pid)
    stat_text = reader.text("stat")
    if stat_text is None:
        return None  # gone
    status_text = reader.text("status") or ""
    cmdline = reader.raw("cmdline") or b""
    record: dict[str, Any] = {
        "pid": pid,
        "stat": stat_text.strip(),
        "status": status_text,
        "cmdline": [a.decode("utf-8", "backslashreplace") for a in cmdline.split(b"\0") if a],
        "exe": reader.link("exe"),
        "cwd": reader.link("cwd"),
        "ld_preload": _preload(reader.raw("environ", 4 << 20)),
        "maps_flagged": _flagged_maps(reader.text("maps", 16 << 20)),
        "fd": reader.fds(),
        "not_readable": reader.denied,
    }
    parsed = parse_stat(stat_text)
    record["start"] = (
        datetime.fromtimestamp(boot + parsed.start_ticks / ticks, UTC).isoformat()
        if parsed is not None and boot is not None
        else None
    )
    return record


def _to_process(ctx: Context, record: dict[str, Any], origin: Origin) -> Process:
    parsed: Stat | None = parse_stat(record["stat"])
    status = parse_status(record["status"])
    uid = real_uid(status)
    exe = record["exe"]
    pages = os.sysconf("SC_PAGE_SIZE") // 1024
    ticks = os.sysconf("SC_CLK_TCK")
    return Process(
        pid=record["pid"],
        ppid=parsed.ppid if parsed else int(status.get("PPid", "0") or 0),
        uid=uid,
        user=ctx.collected.user_of(uid),
        name=parsed.comm if parsed else status.get("Name", "?"),
        cmdline=record["cmdline"],
        exe=exe.removesuffix(" (deleted)") if exe else None,
        exe_deleted=bool(exe and exe.endswith(" (deleted)")),
        exe_replaced=bool(exe and exe.endswith(" (deleted)") and _replaced(exe)),
        cwd=record["cwd"],
        start=datetime.fromisoformat(record["start"]) if record["start"] else None,
        state=parsed.state if parsed else "?",
        tty=parsed.tty if parsed else 0,
        rss_kb=parsed.rss_pages * pages if parsed else None,
        cpu_seconds=(parsed.utime + parsed.stime) / ticks if parsed else None,
        preload=record["ld_preload"],
        libraries=record["maps_flagged"],
        origin=origin,
    )


def collect_processes(ctx: Context, artifact: Artifact) -> None:
    """Read every process, archive them as JSON lines, and look for hidden ones."""
    boot = _boot_time(ctx)
    ticks = os.sysconf("SC_CLK_TCK")
    started = (time.time() - boot) * ticks if boot is not None else None
    records = [r for pid in _pids(ctx) if (r := _process(ctx, pid, boot, ticks)) is not None]
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
    entry = ctx.evidence.add("live/processes.jsonl", body, artifact.name, "/proc")
    ctx.log.counted(artifact.name)
    for number, record in enumerate(records, 1):
        process = _to_process(ctx, record, ctx.origin(entry, number))
        ctx.collected.processes.append(process)
        for fd, target in record["fd"].items():
            if target.startswith("socket:["):
                inode = int(target[8:-1])
                ctx.collected.socket_owners.setdefault(inode, []).append(process.pid)
            del fd
    denied = sum(1 for r in records if r["not_readable"])
    if denied:
        ctx.log.note(
            "/proc/*",
            f"{denied} processes of other users: executable, folder, open files or environment "
            "not readable (run as root to read them)",
            "unreadable",
            artifact.name,
        )
    if ctx.options.hidden_scan:
        _hidden(ctx, artifact, {r["pid"] for r in records}, started)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _pid_max(ctx: Context) -> int:
    try:
        return int(ctx.host.read("/proc/sys/kernel/pid_max", 64).strip() or 32768)
    except (Unreadable, ValueError):
        return 4194304


def _hidden_one(ctx: Context, pid: int, relisted: set[int], started: float | None) -> bool:
    """A pid missing from both listings that is a process (not a thread) started before the
    collection (not one born meanwhile, which a listing may have missed)."""
    if pid in relisted or not _alive(pid):
        return False
    reader = _Reader(ctx, pid)
    status = parse_status(reader.text("status") or "")
    stat = parse_stat(reader.text("stat") or "")
    if status.get("Tgid") != str(pid) or stat is None:
        return False  # a thread, or gone
    return started is not None and stat.start_ticks < started


def _hidden(ctx: Context, artifact: Artifact, listed: set[int], started: float | None) -> None:
    candidates = [
        pid
        for pid in range(1, _pid_max(ctx) + 1)
        if pid not in listed and _alive(pid) and os.path.exists(f"/proc/{pid}")  # noqa: PTH110
    ]
    if not candidates:
        return
    relisted = set(_pids(ctx))
    hidden = [pid for pid in candidates if _hidden_one(ctx, pid, relisted, started)]
    if hidden:
        ctx.collected.hidden_pids.extend(hidden)
        body = "".join(f"{pid}\n" for pid in hidden).encode()
        ctx.evidence.add("live/hidden-pids.txt", body, artifact.name, "kill(pid, 0) over pid_max")
