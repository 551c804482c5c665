"""Findings as rules over what was collected: each rule is a function of the :class:`View`."""

from __future__ import annotations

from labwarden.core.finding import Finding
from labwarden.respond.triage.rules import (
    accounts,
    auth,
    exfil,
    files,
    persistence,
    processes,
    rootkit,
)
from labwarden.respond.triage.rules.base import Rule, View

RULES: tuple[Rule, ...] = (
    auth.guessing,
    auth.new_sources,
    accounts.uid_zero,
    accounts.no_password,
    accounts.sudoers,
    accounts.privileged_groups,
    accounts.authorized_keys,
    persistence.cron,
    persistence.systemd,
    persistence.scripts,
    processes.processes,
    processes.listeners,
    processes.packet_capture,
    exfil.histories,
    exfil.processes,
    files.setuid,
    files.temp_executables,
    files.history_cleared,
    rootkit.hidden_processes,
    rootkit.modules,
    rootkit.interfaces,
    rootkit.taint,
)


def evaluate(view: View) -> list[Finding]:
    """Every rule's findings, most severe first, each once."""
    found: dict[str, Finding] = {}
    for rule in RULES:
        for item in rule(view):
            found.setdefault(item.fingerprint, item)
    return sorted(found.values(), key=lambda f: (-f.severity.rank, f.rule, str(f.location)))
