"""The ``kernel`` collector: loaded modules and where they come from, taint, interfaces.

A module that /proc/modules lists but no file under /lib/modules/<release> provides was loaded
from elsewhere; one that /sys/module shows as live but /proc/modules does not list is hiding.
An interface with ``IFF_PROMISC`` takes every frame on the wire.
"""

from __future__ import annotations

import os

from labwarden.respond.triage.artifacts import Artifact
from labwarden.respond.triage.context import Context
from labwarden.respond.triage.evidence import Entry, safe_name
from labwarden.respond.triage.host import Unreadable
from labwarden.respond.triage.model import Interface, Module

MODULE_SUFFIXES = (".ko", ".ko.xz", ".ko.zst", ".ko.gz", ".ko.bz2")


def module_name(file_name: str) -> str:
    """The module a file provides (``nf_tables.ko.zst`` is ``nf_tables``; ``-`` is ``_``)."""
    for suffix in MODULE_SUFFIXES:
        if file_name.endswith(suffix):
            file_name = file_name[: -len(suffix)]
            break
    return file_name.replace("-", "_")


def collect_kernel(ctx: Context, artifact: Artifact) -> None:
    """Modules, module files on disk, /sys/module, taint and interface flags."""
    _modules(ctx, artifact)
    _sysfs_modules(ctx)
    _module_files(ctx, artifact)
    _taint(ctx, artifact)
    _interfaces(ctx, artifact)


def _copy(ctx: Context, artifact: Artifact, path: str) -> Entry | None:
    try:
        entry, _, _ = ctx.evidence.copy(ctx.host, path, artifact.name, 16 << 20)
    except Unreadable as exc:
        ctx.unreadable(exc, artifact.name)
        return None
    ctx.log.counted(artifact.name)
    return entry


def _modules(ctx: Context, artifact: Artifact) -> None:
    entry = _copy(ctx, artifact, "/proc/modules")
    if entry is None:
        return
    for number, line in ctx.evidence.lines(entry):
        fields = line.split()
        if len(fields) >= 5 and fields[1].isdigit():
            ctx.collected.modules.append(
                Module(fields[0], int(fields[1]), fields[4], ctx.origin(entry, number))
            )


def _sysfs_modules(ctx: Context) -> None:
    try:
        names = ctx.host.listdir("/sys/module")
    except Unreadable:
        return
    for name in names:
        try:
            state = ctx.host.read(f"/sys/module/{name}/initstate", 64)
        except Unreadable:
            continue  # built into the kernel: no initstate
        if state.strip() == b"live":
            ctx.collected.sysfs_modules.add(name)


def _module_files(ctx: Context, artifact: Artifact) -> None:
    release = os.uname().release
    base = f"/lib/modules/{release}"
    found: set[str] = set()
    listing: list[str] = []
    try:
        top = ctx.host.resolve(base)
    except Unreadable as exc:
        ctx.unreadable(exc, artifact.name)
        return
    for folder, _dirs, files in os.walk(ctx.host.real(top)):
        for file_name in files:
            if file_name.endswith(MODULE_SUFFIXES):
                found.add(module_name(file_name))
                listing.append(f"{folder}/{file_name}")
    for builtin in ("modules.builtin",):
        try:
            text = ctx.host.read(f"{base}/{builtin}").decode("utf-8", "replace")
        except Unreadable:
            continue
        found.update(module_name(line.rsplit("/", 1)[-1]) for line in text.split() if line)
    ctx.collected.module_files = found
    ctx.evidence.add(
        f"listings/{safe_name(base)}.modules.txt",
        ("\n".join(sorted(listing)) + "\n").encode(),
        artifact.name,
        base,
    )


def _taint(ctx: Context, artifact: Artifact) -> None:
    try:
        ctx.collected.tainted = int(ctx.host.read("/proc/sys/kernel/tainted", 64).strip() or 0)
    except (Unreadable, ValueError) as exc:
        ctx.log.note("/proc/sys/kernel/tainted", str(exc), "unreadable", artifact.name)


def _interfaces(ctx: Context, artifact: Artifact) -> None:
    names = ctx.listdir("/sys/class/net", artifact.name)
    found: list[tuple[str, int]] = []
    for name in names:
        try:
            found.append((name, int(ctx.host.read(f"/sys/class/net/{name}/flags", 64).strip(), 16)))
        except (Unreadable, ValueError):
            continue
    body = "".join(f"{name} {flags:#x}\n" for name, flags in found).encode()
    entry = ctx.evidence.add("listings/interfaces.txt", body, artifact.name, "/sys/class/net")
    ctx.collected.interfaces.extend(
        Interface(name, flags, ctx.origin(entry, number))
        for number, (name, flags) in enumerate(found, 1)
    )
