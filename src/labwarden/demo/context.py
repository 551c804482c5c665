"""What every demo step receives and adds to: the lab, the workspace, the scan, the sections."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labwarden.core.workspace import Workspace
from labwarden.demo.lab import Lab
from labwarden.inventory.scan import ScanResult
from labwarden.store.catalog import Catalog


@dataclass(slots=True)
class Section:
    """A titled table the demo prints."""

    title: str
    columns: list[str]
    rows: list[dict[str, Any]]


@dataclass(slots=True)
class DemoContext:
    """Everything a demo step may use."""

    lab: Lab
    workspace: Workspace
    catalog: Catalog
    scan: ScanResult
    sections: list[Section] = field(default_factory=list)
    next_commands: list[str] = field(default_factory=list)
    """Commands printed under "Try next": each runs as printed (paths go through :func:`shell`)."""

    @property
    def workspace_option(self) -> str:
        """``--workspace ROOT`` as a shell would read it back."""
        return f"--workspace {shell(self.workspace.root)}"


def shell(path: Path | str) -> str:
    """``path`` quoted for a shell: a lab in a folder with spaces still gives commands that run."""
    return shlex.quote(str(path))


Step = Callable[[DemoContext], None]
