"""Options shared by every command (workspace, verbosity) and the consoles they print to."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, TextIO

import typer

from labwarden.core.errors import InputError, WorkspaceError
from labwarden.core.values import Severity
from labwarden.core.workspace import WORKSPACE_DIRNAME, WORKSPACE_ENV, Workspace, locate
from labwarden.report.console import plain_console
from labwarden.seal.hashing import Algorithm, parse_algorithm
from labwarden.store.atomic import atomic_text
from labwarden.store.catalog import Catalog

stderr = plain_console(stderr=True, highlight=False, soft_wrap=True, markup=False)
"""Progress and messages; user text is never read as markup (styled calls pass markup=True)."""


class FailOn(str, Enum):
    """``--fail-on`` of every command that can exit 1: a severity, or ``never``."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
    NEVER = "never"

    @property
    def threshold(self) -> Severity | None:
        """The lowest severity that makes the command exit 1 (``None``: never)."""
        return None if self is FailOn.NEVER else Severity(self.value)

    def reached(self, severities: Iterable[Severity]) -> bool:
        """Whether any of ``severities`` is at or above the threshold."""
        threshold = self.threshold
        return threshold is not None and any(s >= threshold for s in severities)


FailOnOpt = Annotated[
    FailOn,
    typer.Option("--fail-on", help="Exit 1 when a finding reaches this severity (never: exit 0)."),
]
"""The ``--fail-on`` option, the same type everywhere; each command sets its default."""


@dataclass(slots=True)
class State:
    """What the top-level options said."""

    workspace: str | None = None
    verbose: int = 0

    def resolve(self) -> Workspace:
        """The workspace these options point to (it may not exist)."""
        return locate(self.workspace)

    def existing(self, *, catalog: bool = True) -> Workspace:
        """The workspace, which must exist (with a catalog unless ``catalog`` is false): commands
        that only read never create one. :class:`WorkspaceError` names where it looked."""
        workspace = self.resolve()
        if not workspace.root.is_dir():
            raise WorkspaceError(self._missing(workspace))
        if catalog and not workspace.exists:
            raise WorkspaceError(
                f"{workspace.root} holds no catalog yet: `labwarden scan PATH` (or `ingest`) "
                "stores the first one"
            )
        return workspace

    def _missing(self, workspace: Workspace) -> str:
        if self.workspace:
            where = f"no labwarden workspace at {workspace.root} (from -w or ${WORKSPACE_ENV})"
        else:
            where = (
                f"no labwarden workspace: looked for {WORKSPACE_DIRNAME}/ in {Path.cwd()} and "
                "every folder above it"
            )
        return f"{where}; `labwarden scan PATH` creates one, or give it with -w DIR"

    def writable(self) -> Workspace:
        """The workspace of a command that stores something, created if needed (and said so on
        stderr)."""
        workspace = self.resolve()
        created = not workspace.root.is_dir()
        workspace.ensure()
        if created:
            stderr.print(f"created the workspace {workspace.root}", markup=False)
        return workspace

    def catalog(self) -> Catalog:
        """Open the catalog of a command that stores: the workspace is created if needed."""
        return Catalog.open(self.writable())

    def reader(self) -> Catalog:
        """Open the catalog of a command that reads (or changes what is already stored): a
        missing workspace is an error naming where it looked."""
        return Catalog.open(self.existing())


STATE = State()


@contextmanager
def output_stream(path: Path | None) -> Iterator[TextIO]:
    """Standard output, or ``path`` written atomically (complete or not at all)."""
    if path is None:
        yield sys.stdout
        return
    try:
        with atomic_text(path) as handle:
            yield handle
    except WorkspaceError as exc:  # the user chose the path: an input error
        raise InputError(exc.message) from exc


def digest_algorithm(text: str) -> Algorithm:
    """The ``--digest`` option: ``blake3`` or ``sha256`` (a usage error otherwise)."""
    try:
        return parse_algorithm(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--digest") from None
