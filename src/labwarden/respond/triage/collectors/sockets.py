"""The ``sockets`` collector: the kernel's socket tables, mapped to the processes holding them.

/proc/net/{tcp,tcp6,udp,udp6,unix,packet} are archived verbatim; each socket's inode is matched
with the ``socket:[inode]`` links of /proc/*/fd read by the processes collector, which is what
``ss -tulpn`` and ``lsof -i`` show. A packet socket is a raw capture (``tcpdump -i any``).
"""

from __future__ import annotations

from labwarden.respond.triage.artifacts import Artifact
from labwarden.respond.triage.context import Context
from labwarden.respond.triage.evidence import Entry
from labwarden.respond.triage.host import Unreadable
from labwarden.respond.triage.model import Socket
from labwarden.respond.triage.parsers.procnet import parse_inet, parse_packet, parse_unix

TABLES = ("tcp", "tcp6", "udp", "udp6", "unix", "packet")


def collect_sockets(ctx: Context, artifact: Artifact) -> None:
    """Archive and read every socket table."""
    for table in TABLES:
        path = f"/proc/net/{table}"
        try:
            entry, _, _ = ctx.evidence.copy(
                ctx.host, path, artifact.name, 256 << 20, rel=f"live/net/{table}"
            )
        except Unreadable as exc:  # a table this kernel lacks, or a closed /proc
            ctx.unreadable(exc, artifact.name)
            continue
        ctx.log.counted(artifact.name)
        _read(ctx, table, entry)
    if not ctx.collected.socket_owners:
        ctx.log.note(
            "/proc/*/fd",
            "no socket could be matched to a process (run as root to see other users' sockets)",
            "unreadable",
            artifact.name,
        )


def _owners(ctx: Context, inode: int) -> tuple[int, ...]:
    return tuple(sorted(set(ctx.collected.socket_owners.get(inode, ()))))


def _read(ctx: Context, table: str, entry: Entry) -> None:
    lines = ctx.evidence.lines(entry)
    found = ctx.collected.sockets
    if table == "unix":
        for u in parse_unix(lines):
            if u.listening:
                found.append(
                    Socket(
                        "unix",
                        u.path,
                        0,
                        "",
                        0,
                        "LISTEN",
                        -1,
                        u.inode,
                        _owners(ctx, u.inode),
                        ctx.origin(entry, u.line),
                    )
                )
        return
    if table == "packet":
        for p in parse_packet(lines):
            found.append(
                Socket(
                    "packet",
                    f"ifindex {p.interface_index}",
                    0,
                    "",
                    0,
                    "RAW",
                    p.uid,
                    p.inode,
                    _owners(ctx, p.inode),
                    ctx.origin(entry, p.line),
                )
            )
        return
    for n in parse_inet(lines, udp=table.startswith("udp")):
        found.append(
            Socket(
                table,
                n.local,
                n.local_port,
                n.remote,
                n.remote_port,
                n.state,
                n.uid,
                n.inode,
                _owners(ctx, n.inode),
                ctx.origin(entry, n.line),
            )
        )
