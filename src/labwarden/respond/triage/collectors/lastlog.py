"""The ``lastlog`` collector: only the data of a sparse file indexed by uid.

/var/log/lastlog holds one record per uid at ``uid * record size``; an account with uid
4294967294 makes it a terabyte of holes. Only the extents that hold data (``SEEK_DATA``) are
read and archived, each as ``lastlog@<offset>``.
"""

from __future__ import annotations

import errno
import os

from labwarden.respond.triage.artifacts import Artifact
from labwarden.respond.triage.context import Context
from labwarden.respond.triage.evidence import safe_name
from labwarden.respond.triage.host import Opened, Unreadable, read_fd
from labwarden.respond.triage.model import LastLogin, Origin
from labwarden.respond.triage.parsers.utmp import parse_lastlog

MAX_DATA = 64 << 20


def data_extents(opened: Opened, limit: int = MAX_DATA) -> list[tuple[int, bytes]]:
    """``(offset, bytes)`` of each data extent, up to ``limit`` bytes in all."""
    size = opened.stat.st_size
    extents: list[tuple[int, bytes]] = []
    offset = total = 0
    while offset < size and total < limit:
        try:
            start = os.lseek(opened.fd, offset, os.SEEK_DATA)
            end = os.lseek(opened.fd, start, os.SEEK_HOLE)
        except OSError as exc:
            if exc.errno == errno.ENXIO:  # no data after offset
                break
            if exc.errno in (errno.EINVAL, errno.EOPNOTSUPP):  # no sparse support: all data
                start, end = offset, size
            else:
                raise Unreadable(opened.path, exc.strerror or str(exc)) from None
        os.lseek(opened.fd, start, os.SEEK_SET)
        data = read_fd(opened.fd, min(end - start, limit - total), opened.path)
        if data:
            extents.append((start, data))
        total += len(data)
        offset = end
    return extents


def collect_lastlog(ctx: Context, artifact: Artifact) -> None:
    """Archive the data extents of lastlog and read the records."""
    for path in artifact.paths:
        try:
            opened = ctx.host.open(path)
        except Unreadable as exc:
            ctx.unreadable(exc, artifact.name, missing_ok=True)
            continue
        try:
            extents = data_extents(opened)
        except Unreadable as exc:
            ctx.unreadable(exc, artifact.name)
            continue
        finally:
            os.close(opened.fd)
        _read(ctx, artifact, opened, extents)


def _read(
    ctx: Context, artifact: Artifact, opened: Opened, extents: list[tuple[int, bytes]]
) -> None:
    names: dict[int, str] = {}
    for start, data in extents:
        entry = ctx.evidence.add(
            f"files/{safe_name(opened.path)}@{start}",
            data,
            artifact.name,
            f"{opened.path}@{start}",
            info=opened.stat,
        )
        names[start] = entry.path
        ctx.log.counted(artifact.name)
    layout, records, bad = parse_lastlog(extents, ctx.now)
    if bad:
        ctx.log.note(
            opened.path, f"{bad} records make no sense ({layout})", "corrupt", artifact.name
        )
    starts = sorted(names)
    for record in records:
        size = 296 if layout and "296" in layout else 292
        offset = record.uid * size
        start = max((s for s in starts if s <= offset), default=starts[0] if starts else 0)
        ctx.collected.lastlog.append(
            LastLogin(
                uid=record.uid,
                user=ctx.collected.user_of(record.uid),
                time=record.time,
                line=record.line,
                host=record.host,
                origin=Origin(opened.path, names.get(start, ""), record.uid),
            )
        )
