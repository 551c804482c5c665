"""Readers of who the host is and who may use it: facts, accounts, groups, shadow, sudoers,
and the package database."""

from __future__ import annotations

import shlex

from labwarden.respond.triage.context import Context
from labwarden.respond.triage.evidence import Entry
from labwarden.respond.triage.model import (
    Account,
    Group,
    ShadowEntry,
    SudoRule,
)
from labwarden.respond.triage.parsers.accounts import parse_group, parse_passwd, parse_shadow
from labwarden.respond.triage.parsers.sudoers import parse_sudoers


def read_facts(ctx: Context, entry: Entry, _account: Account | None) -> None:
    """os-release, hostname and machine-id into the host facts."""
    facts = ctx.collected.facts
    name = entry.source.rsplit("/", 1)[-1]
    if name == "os-release":
        for _, line in ctx.evidence.lines(entry):
            key, sep, value = line.partition("=")
            if sep and key in ("PRETTY_NAME", "ID", "VERSION_ID", "ID_LIKE"):
                facts.setdefault(f"os_{key.lower()}", _unquote(value))
    elif name in ("hostname", "machine-id", "timezone"):
        text = ctx.evidence.data(entry).decode("utf-8", "replace").strip()
        facts.setdefault(name.replace("-", "_"), text.splitlines()[0] if text else "")


def _unquote(value: str) -> str:
    try:
        parts = shlex.split(value)
    except ValueError:
        return value.strip("\"'")
    return parts[0] if parts else ""


def read_passwd(ctx: Context, entry: Entry, _account: Account | None) -> None:
    """Accounts."""
    found, bad = parse_passwd(ctx.evidence.lines(entry))
    ctx.bad_lines(entry, bad, "passwd lines")
    ctx.collected.accounts.extend(
        Account(
            p.name, p.uid, p.gid, p.gecos, p.home, p.shell, p.password, ctx.origin(entry, p.line)
        )
        for p in found
    )


def read_group(ctx: Context, entry: Entry, _account: Account | None) -> None:
    """Groups."""
    found, bad = parse_group(ctx.evidence.lines(entry))
    ctx.bad_lines(entry, bad, "group lines")
    ctx.collected.groups.extend(
        Group(g.name, g.gid, g.members, ctx.origin(entry, g.line)) for g in found
    )


def read_shadow(ctx: Context, entry: Entry, _account: Account | None) -> None:
    """Password metadata (of /etc/shadow; gshadow is archived, not judged)."""
    if entry.source.endswith("gshadow"):
        return
    found, bad = parse_shadow(ctx.evidence.lines(entry))
    ctx.bad_lines(entry, bad, "shadow lines")
    ctx.collected.shadow.extend(
        ShadowEntry(s.name, s.state, s.scheme, s.last_change_days, ctx.origin(entry, s.line))
        for s in found
    )


def read_sudoers(ctx: Context, entry: Entry, _account: Account | None) -> None:
    """Grants of a sudoers file; includes of files outside the collected folders are noted."""
    for line in parse_sudoers(ctx.evidence.lines(entry)):
        if line.kind == "include":
            target = line.principal
            if not target.startswith(("/etc/sudoers", "sudoers.d")):
                ctx.log.note(
                    f"{entry.source}:{line.line}",
                    f"includes {target}, which triage does not collect",
                    "skipped",
                    entry.artifact,
                )
            continue
        ctx.collected.sudoers.append(
            SudoRule(line.principal, line.text, ctx.origin(entry, line.line), entry.mtime)
        )


def read_dpkg(ctx: Context, entry: Entry, _account: Account | None) -> None:
    """dpkg's status (conffile checksums), file lists and checksums."""
    name = entry.source.rsplit("/", 1)[-1]
    lines = (text for _, text in ctx.evidence.lines(entry))
    if name == "status":
        ctx.packages.add_status(lines)
    elif name.endswith(".list"):
        ctx.packages.add_list(name[: -len(".list")].split(":")[0], lines)
    elif name.endswith(".md5sums"):
        ctx.packages.add_md5sums(lines)
