"""A fixed pool of catalog connections shared by the server's worker threads.

SQLite connections are cheap to keep and costly to open (each open checks the migrations), and a
connection must not be used by two threads at once: each request borrows one connection for its
duration and gives it back. WAL mode lets the borrowed connections read while the CLI writes.
"""

from __future__ import annotations

import queue
from collections.abc import Iterator
from contextlib import contextmanager

from labwarden.core.errors import WorkspaceError
from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog


class CatalogPool:
    """``size`` catalog connections, each used by one thread at a time."""

    def __init__(self, workspace: Workspace, size: int = 8, wait: float = 30.0) -> None:
        self.workspace = workspace
        self._wait = wait
        self._idle: queue.LifoQueue[Catalog] = queue.LifoQueue()
        self._all: list[Catalog] = []
        for _ in range(max(1, size)):
            catalog = Catalog.open(workspace, threads=True)
            self._all.append(catalog)
            self._idle.put(catalog)

    @contextmanager
    def catalog(self) -> Iterator[Catalog]:
        """Borrow a connection for the block."""
        try:
            catalog = self._idle.get(timeout=self._wait)
        except queue.Empty as exc:
            raise WorkspaceError(
                f"{self.workspace.catalog_path}: every catalog connection stayed busy "
                f"for {self._wait:g} s"
            ) from exc
        try:
            yield catalog
        finally:
            self._idle.put(catalog)

    def close(self) -> None:
        """Close every connection."""
        for catalog in self._all:
            catalog.close()
        self._all.clear()
