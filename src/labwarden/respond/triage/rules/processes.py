"""Running processes and sockets: deleted or temporary executables, reverse shells, injected
libraries, unexpected listeners and packet capture."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from labwarden.core.finding import Finding
from labwarden.core.values import Severity
from labwarden.respond.triage.model import Process, Socket
from labwarden.respond.triage.rules.base import View, finding
from labwarden.respond.triage.rules.patterns import reverse_shell

TEMP_FOLDERS = ("/tmp/", "/var/tmp/", "/dev/shm/")
BENIGN_MEMFD = (
    "/memfd:libffi",
    "/memfd:doublemapper",
    "/memfd:jit",
    "/memfd:JIT",
    "/memfd:wayland",
)
SHELLS = {"sh", "bash", "dash", "zsh", "ksh", "ash", "busybox", "nc", "ncat", "netcat", "socat",
          "perl", "ruby", "php", "telnet", "openssl"}  # fmt: skip
KILL = "Capture it first (cp /proc/PID/exe, cat /proc/PID/maps, cmdline, environ), then kill it."


def _exe_name(process: Process) -> str:
    return (process.exe or process.name).rsplit("/", 1)[-1]


def _base(process: Process) -> dict[str, object]:
    return {
        "pid": process.pid,
        "ppid": process.ppid,
        "user": process.user or process.uid,
        "exe": process.exe,
        "command": process.command[:2000],
        "cwd": process.cwd,
        "started": process.start.isoformat() if process.start else None,
    }


def _executable_kind(process: Process) -> tuple[str, str] | None:
    """(rule, what) when a process's program is not a file of the system."""
    exe = process.exe or ""
    if exe.startswith("/memfd:"):
        return "processes.memory-executable", "a program that exists only in memory"
    if process.exe_deleted and not process.exe_replaced:
        return "processes.deleted-executable", "a program deleted from disk"
    if exe.startswith(TEMP_FOLDERS):
        return "processes.temp-executable", "a program in a temporary folder"
    return None


def _executables(processes: list[Process]) -> Iterator[Finding]:
    """One finding per odd program, with every process that runs it."""
    groups: dict[tuple[str, str, str], list[Process]] = {}
    for process in processes:
        kind = _executable_kind(process)
        if kind is not None:
            groups.setdefault((*kind, process.exe or ""), []).append(process)
    for (rule, what, exe), group in groups.items():
        first = group[0]
        pids = [p.pid for p in group]
        others = f" and {len(group) - 1} more processes" if len(group) > 1 else ""
        yield finding(
            rule,
            Severity.HIGH,
            first.origin,
            f"process {first.pid} ({first.name}, {first.user or first.uid}){others} run "
            f"{what}: {exe}",
            KILL + " Its binary is still readable at /proc/PID/exe.",
            pids=pids[:50],
            **_base(first),
        )


def _memory(process: Process) -> Iterator[Finding]:
    exe = process.exe or ""
    odd = [
        p
        for p in process.libraries
        if not p.startswith(BENIGN_MEMFD) and not (exe and p.startswith(exe))
    ]
    if odd:
        yield finding(
            "processes.injected-code",
            Severity.HIGH,
            process.origin,
            f"process {process.pid} ({process.name}) runs code from {odd[0]}"
            + (f" and {len(odd) - 1} more" if len(odd) > 1 else "")
            + " (memory-only, deleted or temporary files)",
            KILL,
            mappings=odd[:10],
            **_base(process),
        )
    if process.preload:
        system = all(p.startswith(("/usr/lib", "/lib")) for p in process.preload.split())
        yield finding(
            "processes.preload",
            Severity.LOW if system else Severity.HIGH,
            process.origin,
            f"process {process.pid} ({process.name}) runs with LD_PRELOAD={process.preload}",
            "Check the library: allocators such as jemalloc or tcmalloc are common; anything "
            "else hooks the program.",
            **_base(process),
        )


def processes(view: View) -> Iterator[Finding]:
    """Deleted or temporary executables, reverse shells, injected code and preloads."""
    yield from _executables(view.collected.processes)
    for process in view.collected.processes:
        shell = reverse_shell(process.command)
        if shell:
            yield finding(
                "processes.reverse-shell",
                Severity.CRITICAL,
                process.origin,
                f"process {process.pid} ({process.user or process.uid}) is a {shell}: "
                f"{process.command[:300]}",
                KILL + " Then block the peer it connects to.",
                **_base(process),
            )
        yield from _memory(process)


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _owners(view: View, socket: Socket) -> list[Process]:
    by_pid = {p.pid: p for p in view.collected.processes}
    return [by_pid[pid] for pid in socket.pids if pid in by_pid]


def _listener_severity(view: View, owners: list[Process]) -> Severity | None:
    names = {_exe_name(p) for p in owners}
    odd = any(
        (p.exe_deleted and not p.exe_replaced) or (p.exe or "").startswith(TEMP_FOLDERS)
        for p in owners
    )
    if odd or names & SHELLS:
        return Severity.HIGH
    if any(name in view.known.listeners for name in names):
        return None
    return Severity.MEDIUM


def listeners(view: View) -> Iterator[Finding]:
    """Listening sockets a stock host does not open (shells and temp programs: high)."""
    seen: set[tuple[str, int]] = set()
    for socket in view.collected.sockets:
        if not socket.listening or socket.proto in ("unix", "packet") or socket.local_port == 0:
            continue
        owners = _owners(view, socket)
        if not owners:
            continue  # kernel sockets, or other users' when not root (noted at collection)
        severity = _listener_severity(view, owners)
        loopback = _loopback(socket.local)
        if severity is None or (loopback and severity < Severity.HIGH):
            continue
        key = (",".join(sorted({_exe_name(p) for p in owners})), socket.local_port)
        if key in seen:
            continue
        seen.add(key)
        who = ", ".join(f"{p.name} (pid {p.pid}, {p.user or p.uid})" for p in owners[:3])
        yield finding(
            "network.listener",
            severity,
            socket.origin,
            f"{who} listens on {socket.proto} {socket.local}:{socket.local_port}, which a stock "
            "host does not",
            "Find out what the service is and who started it; close the port if nobody needs "
            "it, and restrict it to the addresses that do.",
            proto=socket.proto,
            address=f"{socket.local}:{socket.local_port}",
            processes=[p.command[:300] for p in owners[:3]],
        )


def packet_capture(view: View) -> Iterator[Finding]:
    """Packet sockets (raw frame capture, as tcpdump opens) held by unexpected programs."""
    for socket in view.collected.sockets:
        if socket.proto != "packet":
            continue
        owners = _owners(view, socket)
        names = {_exe_name(p) for p in owners}
        if not owners or names & view.known.packet_sockets:
            continue
        who = ", ".join(f"{p.name} (pid {p.pid}, {p.user or p.uid})" for p in owners[:3])
        yield finding(
            "network.packet-capture",
            Severity.MEDIUM,
            socket.origin,
            f"{who} captures raw network frames ({socket.local})",
            "Confirm the capture is authorized; a sniffer collects credentials and traffic.",
            processes=[p.command[:300] for p in owners[:3]],
        )
