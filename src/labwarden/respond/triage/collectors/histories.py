"""The ``histories`` collector: shell and interpreter histories of every account.

A history that is a link (to /dev/null, the usual way to stop one) is recorded as such, with
no copy; the rest are copied and read one command at a time.
"""

from __future__ import annotations

from labwarden.respond.triage.artifacts import Artifact
from labwarden.respond.triage.collectors.files import copy_file, expand
from labwarden.respond.triage.context import Context
from labwarden.respond.triage.evidence import safe_name
from labwarden.respond.triage.host import Unreadable
from labwarden.respond.triage.model import Account, HistoryFile, HistoryLine, Origin
from labwarden.respond.triage.parsers.history import parse_history


def collect_histories(ctx: Context, artifact: Artifact) -> None:
    """Copy and read every history of every home folder."""
    for pattern, account in expand(ctx, artifact.paths):
        for path in ctx.host.glob(pattern):
            _one(ctx, artifact, path, account)


def _one(ctx: Context, artifact: Artifact, path: str, account: Account | None) -> None:
    owner = account.name if account else None
    try:
        link = ctx.host.link_target(path)
    except Unreadable as exc:
        ctx.unreadable(exc, artifact.name)
        return
    if link is not None and not _inside_home(link, account):
        rel = f"links/{safe_name(path)}.link"
        listed = ctx.evidence.add(rel, f"{path} -> {link}\n".encode(), artifact.name, path)
        ctx.collected.history_files.append(
            HistoryFile(owner, path, 0, None, link, Origin(path, listed.path))
        )
        return
    entry = copy_file(ctx, artifact, path)
    if entry is None:
        return
    origin = ctx.origin(entry)
    ctx.collected.history_files.append(
        HistoryFile(owner, entry.source, entry.size, entry.mtime, link, origin)
    )
    fish = entry.source.endswith("fish_history")
    ctx.collected.histories.extend(
        HistoryLine(owner, command.command, command.time, origin.at(command.line))
        for command in parse_history(ctx.evidence.lines(entry), fish=fish)
    )


def _inside_home(link: str, account: Account | None) -> bool:
    """A relative link, or one into the same home, is a history kept elsewhere, not erased."""
    if not link.startswith("/"):
        return True
    return account is not None and link.startswith(account.home.rstrip("/") + "/")
