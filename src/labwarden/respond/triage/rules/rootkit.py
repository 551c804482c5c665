"""Rootkit indicators that need no signature database: processes hidden from /proc's listing,
kernel modules hidden from /proc/modules or loaded from no file on disk, promiscuous
interfaces, and the kernel's own taint flags."""

from __future__ import annotations

from collections.abc import Iterator

from labwarden.core.finding import Finding
from labwarden.core.values import Severity
from labwarden.respond.triage.model import Origin
from labwarden.respond.triage.rules.base import View, finding

IMAGE = (
    "Do not trust this host's tools any more: capture memory and the disk, then examine "
    "them from a clean system."
)
TAINTS = {
    1: "a module was force-loaded",
    12: "an out-of-tree module is loaded",
    13: "an unsigned module is loaded",
    15: "the kernel was live-patched",
}


def hidden_processes(view: View) -> Iterator[Finding]:
    """Processes that answer ``kill(pid, 0)`` but that /proc's listing does not show."""
    if view.collected.hidden_pids:
        pids = view.collected.hidden_pids
        yield finding(
            "rootkit.hidden-process",
            Severity.CRITICAL,
            Origin("/proc", "artifacts/live/hidden-pids.txt"),
            f"{len(pids)} processes exist but are hidden from the listing of /proc "
            f"(pids {', '.join(map(str, pids[:10]))})",
            IMAGE,
            pids=pids[:100],
        )


def modules(view: View) -> Iterator[Finding]:
    """Modules hidden from /proc/modules, and modules no file under /lib/modules provides."""
    listed = {m.name for m in view.collected.modules}
    hidden = sorted(view.collected.sysfs_modules - listed)
    if hidden and view.collected.modules:
        yield finding(
            "rootkit.hidden-module",
            Severity.CRITICAL,
            Origin("/sys/module", "artifacts/files/proc/modules"),
            f"kernel modules {', '.join(hidden[:10])} are live in /sys/module but missing "
            "from /proc/modules",
            IMAGE,
            modules=hidden[:50],
        )
    on_disk = view.collected.module_files
    if not on_disk:
        return  # no module tree for this kernel (a container, a custom kernel): nothing to compare
    for module in view.collected.modules:
        if module.name.replace("-", "_") not in on_disk:
            yield finding(
                "rootkit.module-not-on-disk",
                Severity.HIGH,
                module.origin,
                f"kernel module {module.name} is loaded but no file of the running kernel's "
                "module tree provides it",
                "Find where it was loaded from (the journal, auditd's init_module records); "
                + IMAGE,
                module=module.name,
                size=module.size,
            )


def interfaces(view: View) -> Iterator[Finding]:
    """Interfaces in promiscuous mode (taking every frame on the wire)."""
    for interface in view.collected.interfaces:
        if interface.promiscuous:
            yield finding(
                "rootkit.promiscuous",
                Severity.MEDIUM,
                interface.origin,
                f"interface {interface.name} is in promiscuous mode: something captures all "
                "traffic on it",
                "Find the process (packet sockets in the sockets artifact); bridges and "
                "container networks also set it.",
                interface=interface.name,
            )


def taint(view: View) -> Iterator[Finding]:
    """What the kernel's taint flags say about loaded code."""
    value = view.collected.tainted
    if not value:
        return
    reasons = [text for bit, text in TAINTS.items() if value & (1 << bit)]
    if reasons:
        yield finding(
            "rootkit.kernel-taint",
            Severity.INFO,
            Origin("/proc/sys/kernel/tainted", ""),
            f"the kernel is tainted ({value}): {'; '.join(reasons)}",
            "Expected with vendor drivers (NVIDIA, ZFS); otherwise find the module.",
            tainted=value,
        )
