"""The ``files`` collector: copy every file a pattern names, then hand it to its reader."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator

from labwarden.respond.triage.artifacts import Artifact
from labwarden.respond.triage.context import Context
from labwarden.respond.triage.evidence import Entry, safe_name
from labwarden.respond.triage.host import Unreadable
from labwarden.respond.triage.model import Account
from labwarden.respond.triage.parsers.accounts import redact_shadow
from labwarden.respond.triage.parsers.redact import redact_credentials
from labwarden.respond.triage.readers import read

HOMELESS = {"/nonexistent", "/dev/null", ""}


def homes(ctx: Context) -> list[tuple[str, Account]]:
    """Every distinct home folder, with the account it is attributed to (an account that can
    log in wins over a service account sharing the folder)."""
    chosen: dict[str, Account] = {}
    for account in ctx.collected.accounts:
        home = account.home.rstrip("/") or "/"
        if home in HOMELESS:
            continue
        current = chosen.get(home)
        if current is None or (account.interactive and not current.interactive):
            chosen[home] = account
    return sorted(chosen.items())


def expand(ctx: Context, patterns: tuple[str, ...]) -> Iterator[tuple[str, Account | None]]:
    """Patterns with ``{home}`` made one per home folder."""
    for pattern in patterns:
        if "{home}" not in pattern:
            yield pattern, None
            continue
        for home, account in homes(ctx):
            yield pattern.replace("{home}", "" if home == "/" else home), account


def copy_file(ctx: Context, artifact: Artifact, path: str) -> Entry | None:
    """Copy one regular file (``None``: a folder, already copied, or unreadable and noted)."""
    try:
        info = ctx.host.stat(path)
        if stat.S_ISDIR(info.st_mode):
            return None
        if artifact.redact:
            return _redacted(ctx, artifact, path, info)
        entry, size, fresh = ctx.evidence.copy(ctx.host, path, artifact.name, artifact.limit)
    except Unreadable as exc:
        _unreadable(ctx, artifact, path, exc)
        return None
    if not fresh:
        return None
    if entry.truncated:
        ctx.log.note(
            path, f"kept the first {entry.size} of {size} bytes", "truncated", artifact.name
        )
    ctx.log.counted(artifact.name)
    return entry


def _unreadable(ctx: Context, artifact: Artifact, path: str, exc: Unreadable) -> None:
    if exc.reason == "no such file":
        try:
            target = ctx.host.link_target(path)
        except Unreadable:
            target = None
        if target is not None:
            ctx.log.note(
                path, f"a link to {target}, which does not exist", "skipped", artifact.name
            )
            return
    ctx.unreadable(exc, artifact.name)


def _redacted(ctx: Context, artifact: Artifact, path: str, info: os.stat_result) -> Entry | None:
    resolved = ctx.host.resolve(path)
    if ctx.evidence.copied(resolved) is not None:
        return None
    data = ctx.host.read(path, artifact.limit)
    redact = redact_shadow if artifact.redact == "shadow" else redact_credentials
    entry = ctx.evidence.add(
        f"files/{safe_name(resolved)}",
        redact(data),
        artifact.name,
        resolved,
        info=info,
        redacted_from=hashlib.sha256(data).hexdigest(),
    )
    ctx.log.counted(artifact.name)
    return entry


def collect_files(ctx: Context, artifact: Artifact) -> None:
    """Copy what the artifact's patterns name and read each copy with its parser."""
    found = False
    for pattern, account in expand(ctx, artifact.paths):
        for path in ctx.host.glob(pattern):
            found = True
            entry = copy_file(ctx, artifact, path)
            if entry is not None and artifact.parser:
                read(ctx, artifact.parser, entry, account)
    if artifact.expect and not found:
        where = ", ".join(artifact.paths)
        ctx.log.note(where, "not found", "not available", artifact.name)
