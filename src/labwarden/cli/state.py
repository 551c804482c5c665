"""Options shared by every command (workspace, verbosity) and the consoles they print to."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import typer
from rich.console import Console

from labwarden.core.errors import InputError, WorkspaceError
from labwarden.core.workspace import Workspace, locate
from labwarden.seal.hashing import Algorithm, parse_algorithm
from labwarden.store.atomic import atomic_text
from labwarden.store.catalog import Catalog

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass(slots=True)
class State:
    """What the top-level options said."""

    workspace: str | None = None
    verbose: int = 0

    def resolve(self) -> Workspace:
        """The workspace these options point to."""
        return locate(self.workspace)

    def catalog(self) -> Catalog:
        """Open (creating if needed) the workspace's catalog."""
        return Catalog.open(self.resolve())


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
