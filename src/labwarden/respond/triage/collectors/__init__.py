"""Collectors, one per kind of artifact (see ``artifacts.toml``)."""

from __future__ import annotations

from collections.abc import Callable

from labwarden.respond.triage.artifacts import Artifact
from labwarden.respond.triage.collectors.command import collect_command
from labwarden.respond.triage.collectors.files import collect_files
from labwarden.respond.triage.collectors.histories import collect_histories
from labwarden.respond.triage.collectors.kernel import collect_kernel
from labwarden.respond.triage.collectors.lastlog import collect_lastlog
from labwarden.respond.triage.collectors.processes import collect_processes
from labwarden.respond.triage.collectors.sockets import collect_sockets
from labwarden.respond.triage.collectors.units import collect_units
from labwarden.respond.triage.collectors.walk import collect_walk
from labwarden.respond.triage.context import Context

Collector = Callable[[Context, Artifact], None]

COLLECTORS: dict[str, Collector] = {
    "files": collect_files,
    "histories": collect_histories,
    "lastlog": collect_lastlog,
    "units": collect_units,
    "command": collect_command,
    "processes": collect_processes,
    "sockets": collect_sockets,
    "kernel": collect_kernel,
    "walk": collect_walk,
}
