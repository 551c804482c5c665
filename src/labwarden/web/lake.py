"""A few open query sessions over the event lake, shared by the server's worker threads.

Opening a DuckDB session costs more than most event queries (about 80 ms against 25 ms here),
so the server keeps ``size`` sessions with the ``events`` view and lends one per request. The
view reads the lake's glob at query time, so new parts are seen at once; it is rebuilt when it
was made over an empty lake, or after ``refresh`` seconds (a new column in newer parts).
"""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from labwarden.core.errors import WorkspaceError
from labwarden.core.workspace import Workspace
from labwarden.engines.duckdb import connect
from labwarden.engines.interface import Engine


@dataclass(slots=True)
class _Session:
    engine: Engine | None = None
    files: int = 0
    built: float = 0.0


class LakePool:
    """``size`` lazily opened DuckDB sessions over ``workspace``'s lake."""

    def __init__(
        self, workspace: Workspace, size: int = 4, refresh: float = 60.0, wait: float = 60.0
    ) -> None:
        self.workspace = workspace
        self._refresh = refresh
        self._wait = wait
        self._idle: queue.LifoQueue[_Session] = queue.LifoQueue()
        self._all = [_Session() for _ in range(max(1, size))]
        for session in self._all:
            self._idle.put(session)

    @contextmanager
    def engine(self) -> Iterator[Engine]:
        """Borrow a session whose ``events`` view is current."""
        try:
            session = self._idle.get(timeout=self._wait)
        except queue.Empty as exc:
            raise WorkspaceError(
                f"{self.workspace.lake_path}: every lake session stayed busy for {self._wait:g} s"
            ) from exc
        try:
            yield self._ready(session)
        finally:
            self._idle.put(session)

    def _ready(self, session: _Session) -> Engine:
        stale = time.monotonic() - session.built > self._refresh
        if session.engine is None:
            session.engine = connect(threads=1)
            stale = True
        if stale or session.files == 0:
            session.files = session.engine.events_view(self.workspace.lake_path)
            session.built = time.monotonic()
        return session.engine

    def close(self) -> None:
        """Close every open session."""
        for session in self._all:
            if session.engine is not None:
                session.engine.close()
                session.engine = None
