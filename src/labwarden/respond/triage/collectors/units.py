"""The ``units`` collector: systemd unit folders, system and per account.

Each folder gives three things: unit files (copied and parsed), drop-in folders
(``<unit>.d/*.conf``, parsed into their unit), and ``*.wants``/``*.requires`` folders whose links
say which units are enabled (archived as one listing per folder).
"""

from __future__ import annotations

import stat

from labwarden.respond.triage.artifacts import Artifact
from labwarden.respond.triage.collectors.files import copy_file, expand
from labwarden.respond.triage.context import Context
from labwarden.respond.triage.evidence import safe_name
from labwarden.respond.triage.host import Unreadable
from labwarden.respond.triage.model import Account, Unit
from labwarden.respond.triage.parsers.units import parse_unit

UNIT_SUFFIXES = (".service", ".timer", ".socket", ".path", ".target", ".mount")
UNIT_FOLDERS = (
    "/etc/systemd/",
    "/run/systemd/",
    "/usr/lib/systemd/",
    "/lib/systemd/",
    "/usr/local/lib/systemd/",
)


def collect_units(ctx: Context, artifact: Artifact) -> None:
    """Read every unit folder the artifact names; enable links are matched at the end."""
    links: list[tuple[str, str]] = []
    seen: set[str] = set()
    for pattern, account in expand(ctx, artifact.paths):
        for folder in ctx.host.glob(pattern):
            try:
                resolved = ctx.host.resolve(folder)
            except Unreadable as exc:
                ctx.unreadable(exc, artifact.name)
                continue
            if resolved in seen:
                continue
            seen.add(resolved)
            links.extend(_folder(ctx, artifact, folder, account))
    _enable(ctx, links)


def _folder(
    ctx: Context, artifact: Artifact, folder: str, account: Account | None
) -> list[tuple[str, str]]:
    names = ctx.listdir(folder, artifact.name)
    links: list[tuple[str, str]] = []
    units: dict[str, Unit] = {}
    for name in names:
        path = f"{folder}/{name}"
        try:
            info = ctx.host.lstat(path)
        except Unreadable as exc:
            ctx.unreadable(exc, artifact.name)
            continue
        if stat.S_ISDIR(info.st_mode) and name.endswith((".wants", ".requires")):
            links.extend(_wants(ctx, artifact, path))
        elif stat.S_ISDIR(info.st_mode) and name.endswith(".d"):
            continue  # read after the units, into them
        elif name.endswith(UNIT_SUFFIXES):
            unit = _unit(ctx, artifact, path, name, account)
            if unit is not None:
                units[name] = unit
    for name in names:
        if name.endswith(".d") and name[:-2] in units:
            _dropins(ctx, artifact, f"{folder}/{name}", units[name[:-2]])
    ctx.collected.units.extend(units.values())
    return links


def _unit(
    ctx: Context, artifact: Artifact, path: str, name: str, account: Account | None
) -> Unit | None:
    try:
        target = ctx.host.link_target(path)
    except Unreadable:
        target = None
    if target is not None:
        if target in ("/dev/null", "/dev/null/"):
            return None  # masked
        try:
            if ctx.host.resolve(path).startswith(UNIT_FOLDERS):
                return None  # an alias of a unit read in its own folder
        except Unreadable:
            return None
    entry = copy_file(ctx, artifact, path)
    if entry is None:
        return None
    return Unit(
        name=name,
        path=entry.source,
        scope="user" if account is not None or "/user" in path else "system",
        account=account.name if account else None,
        directives=parse_unit(ctx.evidence.lines(entry)),
        origin=ctx.origin(entry),
        mtime=entry.mtime,
    )


def _dropins(ctx: Context, artifact: Artifact, folder: str, unit: Unit) -> None:
    names = ctx.listdir(folder, artifact.name)
    for name in names:
        if not name.endswith(".conf"):
            continue
        entry = copy_file(ctx, artifact, f"{folder}/{name}")
        if entry is not None:
            parse_unit(ctx.evidence.lines(entry), into=unit.directives)
            if entry.mtime and (unit.mtime is None or entry.mtime > unit.mtime):
                unit.mtime = entry.mtime


def _wants(ctx: Context, artifact: Artifact, folder: str) -> list[tuple[str, str]]:
    """``(link, unit name)`` of every link in a ``.wants`` folder, archived as a listing."""
    names = ctx.listdir(folder, artifact.name)
    found: list[tuple[str, str]] = []
    listing: list[str] = []
    for name in names:
        path = f"{folder}/{name}"
        try:
            target = ctx.host.link_target(path)
        except Unreadable:
            continue
        listing.append(f"{name} -> {target or '(not a link)'}")
        found.append((path, name))
    if listing:
        ctx.evidence.add(
            f"listings/{safe_name(folder)}.links.txt",
            ("\n".join(listing) + "\n").encode(),
            artifact.name,
            folder,
        )
        ctx.log.counted(artifact.name)
    return found


def _enable(ctx: Context, links: list[tuple[str, str]]) -> None:
    by_name: dict[str, list[Unit]] = {}
    for unit in ctx.collected.units:
        by_name.setdefault(unit.name, []).append(unit)
        # template instances (getty@tty1.service) are enabled through their template
    for link, name in links:
        template = name.split("@", 1)[0] + "@." + name.rsplit(".", 1)[-1] if "@" in name else name
        for unit in by_name.get(name, []) or by_name.get(template, []):
            unit.enabled_by.append(link)
