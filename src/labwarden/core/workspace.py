"""The workspace folder (``.labwarden/`` by default) that holds everything labwarden stores."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from labwarden.core.errors import WorkspaceError

WORKSPACE_DIRNAME = ".labwarden"
WORKSPACE_ENV = "LABWARDEN_WORKSPACE"


@dataclass(frozen=True, slots=True)
class Workspace:
    """Paths of one workspace; :meth:`ensure` creates it on first use."""

    root: Path

    @property
    def catalog_path(self) -> Path:
        """The SQLite catalog."""
        return self.root / "catalog.db"

    @property
    def lake_path(self) -> Path:
        """The Parquet event lake."""
        return self.root / "lake"

    @property
    def policy_path(self) -> Path:
        """The user's sensitivity policy (created from the defaults on first use)."""
        return self.root / "policy.toml"

    def ensure(self) -> Workspace:
        """Create the workspace folders if they do not exist yet and return ``self``."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self.lake_path.mkdir(exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(
                f"{self.root}: cannot create the workspace: {exc.strerror}"
            ) from exc
        if not os.access(self.root, os.W_OK):
            raise WorkspaceError(f"{self.root}: the workspace is not writable")
        return self

    @property
    def exists(self) -> bool:
        """Whether the workspace already holds a catalog."""
        return self.catalog_path.is_file()


def locate(explicit: str | os.PathLike[str] | None = None, start: Path | None = None) -> Workspace:
    """Find the workspace: ``explicit``, then ``$LABWARDEN_WORKSPACE``, then like git upwards.

    When no existing ``.labwarden`` folder is found in ``start`` or its parents, the workspace is
    ``start/.labwarden`` (created by :meth:`Workspace.ensure` when something is written).
    """
    if explicit:
        return Workspace(Path(explicit).expanduser().absolute())
    env = os.environ.get(WORKSPACE_ENV)
    if env:
        return Workspace(Path(env).expanduser().absolute())
    here = (start or Path.cwd()).absolute()
    for folder in (here, *here.parents):
        candidate = folder / WORKSPACE_DIRNAME
        if (candidate / "catalog.db").is_file():
            return Workspace(candidate)
    return Workspace(here / WORKSPACE_DIRNAME)
