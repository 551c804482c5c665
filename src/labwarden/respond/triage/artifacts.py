"""The artifact definitions (``artifacts.toml``): what to collect, with which collector, read by
which parser. Adding an artifact is adding a table there."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from labwarden.core.errors import LabwardenError

KINDS = (
    "files",
    "histories",
    "lastlog",
    "units",
    "command",
    "processes",
    "sockets",
    "kernel",
    "walk",
)
DEFAULT_LIMIT = 64 << 20


@dataclass(frozen=True, slots=True)
class Artifact:
    """One thing to collect."""

    name: str
    kind: str
    description: str
    paths: tuple[str, ...] = ()
    parser: str | None = None
    live: bool = False
    expect: bool = False
    limit: int = DEFAULT_LIMIT
    redact: str | None = None
    argv: tuple[str, ...] = ()
    scanner: bool = False
    covers: tuple[str, ...] = ()


class ArtifactError(LabwardenError):
    """The artifact definitions shipped with labwarden are inconsistent (a bug)."""


_FIELDS = {
    "name",
    "kind",
    "description",
    "paths",
    "parser",
    "live",
    "expect",
    "limit",
    "redact",
    "argv",
    "scanner",
    "covers",
}


def parse_artifacts(document: dict[str, Any]) -> list[Artifact]:
    """Validate and build the definitions of one TOML document."""
    found: list[Artifact] = []
    names: set[str] = set()
    for index, table in enumerate(document.get("artifact", []), 1):
        where = f"artifact #{index} ({table.get('name', '?')})"
        unknown = set(table) - _FIELDS
        if unknown:
            raise ArtifactError(f"{where}: unknown fields {sorted(unknown)}")
        if table.get("kind") not in KINDS:
            raise ArtifactError(f"{where}: kind must be one of {', '.join(KINDS)}")
        if table["name"] in names:
            raise ArtifactError(f"{where}: the name is used twice")
        if table["kind"] == "command" and not table.get("argv"):
            raise ArtifactError(f"{where}: a command needs argv")
        names.add(table["name"])
        values = dict(table)
        for key in ("paths", "argv", "covers"):
            values[key] = tuple(values.get(key, ()))
        found.append(Artifact(**values))
    return found


@cache
def load_artifacts() -> tuple[Artifact, ...]:
    """The shipped definitions, in collection order."""
    text = resources.files("labwarden.respond.triage").joinpath("artifacts.toml").read_text()
    return tuple(parse_artifacts(tomllib.loads(text)))
