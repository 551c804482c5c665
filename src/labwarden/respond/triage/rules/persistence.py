"""Persistence: what makes an intruder's code run again. cron, systemd units and timers,
rc.local and init scripts, shell profile hooks, preloaded libraries, module loading.

Each entry is first placed on a ladder: ``stock`` (installed by a package and unchanged, or a
known name where no package database exists) raises nothing; ``modified`` (a package's file
with other bytes) and ``new`` (no package installed it) are reported, higher when the file
changed within ``--since``. A line that opens a reverse shell or runs downloaded code is
reported wherever it is, stock or not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from labwarden.core.finding import Finding
from labwarden.core.values import Severity
from labwarden.respond.triage.model import CronEntry, Origin, ScriptLine, Unit
from labwarden.respond.triage.parsers.units import commands
from labwarden.respond.triage.rules.base import View, finding, raise_one
from labwarden.respond.triage.rules.patterns import (
    history_tampering,
    reverse_shell,
    suspicious,
)

VENDOR_UNITS = ("/usr/lib/systemd/", "/lib/systemd/", "/usr/local/lib/systemd/")
GENERATED_UNITS = ("snap-", "snap.", "var-lib-snapd-", "cloud-init", "netplan-")
ODD_PLACES = re.compile(r"(?:^|[\s=])(?:/tmp|/var/tmp|/dev/shm|/home/[^/\s]+/\.|/root/\.)\S*")

REMOVE = "Remove it if nobody can account for it; keep the archived copy as evidence."


def state_of(view: View, origin: Origin, known_name: bool) -> str:
    """``stock``, ``modified`` or ``new`` (see the module docstring)."""
    verdict = view.package_verdict(origin)
    if verdict in ("stock", "modified"):
        return verdict
    if verdict == "unknown" and known_name:
        return "stock"
    return "new"


def _ladder(state: str, recent: bool) -> Severity:
    severity = Severity.MEDIUM if state == "modified" else Severity.LOW
    return raise_one(severity) if recent else severity


def _why(state: str, recent: bool) -> str:
    what = (
        "changed since its package installed it"
        if state == "modified"
        else ("not installed by any package")
    )
    return what + (", changed within the window" if recent else "")


def line_danger(rule: str, origin: Origin, text: str, where: str) -> Finding | None:
    """A critical or high finding when ``text`` opens a shell or runs downloaded code."""
    why = suspicious(text)
    if why is None:
        return None
    severity = Severity.CRITICAL if reverse_shell(text) else Severity.HIGH
    return finding(
        rule,
        severity,
        origin,
        f"{where} runs a {why}: {text[:300]}",
        "Isolate the host; remove the entry after archiving it, then find how it got there.",
        command=text[:2000],
    )


def cron(view: View) -> Iterator[Finding]:
    """crontab lines, cron scripts and at jobs."""
    by_file: dict[str, list[CronEntry]] = {}
    for entry in view.collected.cron:
        by_file.setdefault(entry.origin.path, []).append(entry)
    for path, entries in by_file.items():
        dangers = [
            d
            for e in entries
            if (d := line_danger("persistence.cron", e.origin, e.command, f"cron ({path})"))
        ]
        yield from dangers
        first = entries[0]
        name = path.rsplit("/", 1)[-1]
        known_name = name in view.known.cron or path in ("/etc/crontab", "/etc/anacrontab")
        state = state_of(view, first.origin, known_name) if first.system else "new"
        if state == "stock" or len(dangers) == len(entries):
            continue
        recent = view.recent(first.mtime)
        lines = [f"{e.schedule} {e.user or ''} {e.command}".replace("  ", " ") for e in entries]
        yield finding(
            "persistence.cron",
            _ladder(state, recent),
            first.origin.at(None),
            f"{path} schedules {len(entries)} commands ({_why(state, recent)}): {lines[0][:200]}",
            REMOVE,
            entries=lines[:20],
            user=first.user,
        )


def _unit_state(view: View, unit: Unit) -> str:
    verdict = view.package_verdict(unit.origin)
    if verdict in ("stock", "modified"):
        return verdict
    if unit.name.startswith(GENERATED_UNITS) and verdict != "unowned":
        return "stock"
    if verdict == "unknown" and unit.path.startswith(VENDOR_UNITS):
        return "stock"
    return "new"


def _enabled(found: Finding, unit: Unit) -> Finding:
    """A finding about a unit, with whether it is enabled and by which links."""
    state = "enabled" if unit.enabled_by else "not enabled"
    return replace(
        found,
        message=f"{found.message} ({state})",
        evidence={**found.evidence, "enabled_by": unit.enabled_by[:5]},
    )


def systemd(view: View) -> Iterator[Finding]:
    """Units and timers a stock host does not have, and any that run a shell for someone."""
    for unit in view.collected.units:
        runs = commands(unit.directives)
        dangers = [
            d
            for key, command, line in runs
            if (
                d := line_danger(
                    "persistence.systemd",
                    unit.origin.at(line),
                    command,
                    f"unit {unit.name} ({key})",
                )
            )
        ]
        yield from (_enabled(d, unit) for d in dangers)
        state = _unit_state(view, unit)
        if state == "stock" or dangers or not (runs or state == "modified"):
            continue
        recent = view.recent(unit.mtime)
        severity = _ladder(state, recent)
        odd = [c for _, c, _ in runs if ODD_PLACES.search(c)]
        if odd:
            severity = raise_one(severity)
        enabled = "enabled" if unit.enabled_by else "not enabled"
        owner = f" of {unit.account}" if unit.account else ""
        yield finding(
            "persistence.systemd",
            severity,
            unit.origin.at(runs[0][2] if runs else None),
            f"{unit.scope} unit{owner} {unit.name} ({enabled}; {_why(state, recent)}) runs "
            f"{runs[0][1][:200] if runs else 'nothing directly'}",
            REMOVE + " Disable it first (systemctl disable --now).",
            unit=unit.name,
            runs=[f"{k}={c}" for k, c, _ in runs][:10],
            enabled_by=unit.enabled_by[:5],
            unusual_paths=odd[:5],
        )


_HOOKS: tuple[tuple[str, Severity, re.Pattern[str]], ...] = (
    ("exports LD_PRELOAD", Severity.HIGH, re.compile(r"\bLD_PRELOAD\s*=")),
    ("wraps a credential-taking command in an alias or function", Severity.HIGH,
     re.compile(r"\balias\s+(?:sudo|su|ssh|passwd|scp)\s*=|\b(?:sudo|ssh|su)\s*\(\)\s*\{")),
    ("sends something over the network before every prompt or command", Severity.HIGH,
     re.compile(r"(?:\bPROMPT_COMMAND\s*=|\btrap\s|\bprecmd\s*\(\)).*"
                r"\b(?:curl|wget|nc|ncat|socat|ssh|scp|python[0-9.]*|perl|base64)\b|/dev/tcp/")),
    ("starts a program in the background at every login", Severity.MEDIUM,
     re.compile(r"(?:^|[;\s])(?:nohup|setsid)\s+\S|[^&|]&\s*(?:disown\s*)?$")),
)  # fmt: skip


def _profile(view: View, line: ScriptLine) -> Iterator[Finding]:
    danger = line_danger("persistence.profile", line.origin, line.text, f"{line.origin.path}")
    if danger:
        yield danger
        return
    tampering = history_tampering(line.text)
    if tampering:
        yield finding(
            "history.disabled",
            Severity.HIGH,
            line.origin,
            f"{line.origin.path} turns the shell history off at every login ({tampering}): "
            f"{line.text[:200]}",
            "Remove the line; assume the account's recent commands were hidden.",
        )
        return
    name = line.origin.path.rsplit("/", 1)[-1]
    known_name = line.origin.path.startswith("/etc/profile.d/") and name in view.known.profile
    for what, severity, regex in _HOOKS:
        if regex.search(line.text):
            if state_of(view, line.origin, known_name) == "stock":
                return
            yield finding(
                "persistence.profile",
                raise_one(severity) if view.recent(line.mtime) else severity,
                line.origin,
                f"{line.origin.path} {what}: {line.text[:200]}",
                REMOVE,
                account=line.account,
            )
            return


def _preload(line: ScriptLine) -> Finding:
    return finding(
        "persistence.preload",
        Severity.CRITICAL,
        line.origin,
        f"{line.text} is preloaded into every program by {line.origin.path} (a stock host has "
        "no such file): the mark of a userland rootkit",
        "Do not trust this host's tools (ps, ls, netstat may lie); image it, then remove the "
        "line from a rescue system and compare the library with known rootkits.",
        library=line.text,
    )


def _file_groups(lines: list[ScriptLine]) -> dict[str, list[ScriptLine]]:
    groups: dict[str, list[ScriptLine]] = {}
    for line in lines:
        groups.setdefault(line.origin.path, []).append(line)
    return groups


def _boot_scripts(view: View, lines: list[ScriptLine], rule: str, what: str) -> Iterator[Finding]:
    for path, group in _file_groups(lines).items():
        dangers = [d for line in group if (d := line_danger(rule, line.origin, line.text, path))]
        yield from dangers
        real = [line for line in group if line.text not in ("exit 0", "exit")]
        if not real or dangers:
            continue
        state = state_of(view, group[0].origin, False)
        if state == "stock":
            continue
        recent = view.recent(group[0].mtime)
        yield finding(
            rule,
            raise_one(_ladder(state, recent)),
            real[0].origin,
            f"{path} ({what}; {_why(state, recent)}) runs at boot: {real[0].text[:200]}",
            REMOVE,
            lines=[line.text[:300] for line in real[:20]],
        )


def scripts(view: View) -> Iterator[Finding]:
    """rc.local, init scripts, profiles, /etc/environment, ld.so.preload and module loading."""
    by_category: dict[str, list[ScriptLine]] = {}
    for line in view.collected.scripts:
        by_category.setdefault(line.category, []).append(line)
    for line in by_category.get("preload", []):
        yield _preload(line)
    for line in by_category.get("environment", []):
        if re.search(r"\bLD_PRELOAD\s*=", line.text):
            yield _preload(ScriptLine("preload", line.text, None, line.origin, line.mtime))
    yield from _boot_scripts(
        view, by_category.get("rc.local", []), "persistence.rc-local", "rc.local"
    )
    yield from _boot_scripts(
        view, by_category.get("init.d", []), "persistence.init-script", "a SysV init script"
    )
    for line in by_category.get("profile", []):
        yield from _profile(view, line)
    for line in by_category.get("ld.so.conf", []) + by_category.get("modules-load", []):
        if ODD_PLACES.search(line.text) or suspicious(line.text):
            yield finding(
                "persistence.loader",
                Severity.HIGH,
                line.origin,
                f"{line.origin.path} points the loader or modprobe at an unusual place: "
                f"{line.text[:200]}",
                REMOVE,
            )
