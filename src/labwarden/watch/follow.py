"""Follow a log folder: ingest files as they arrive or grow, detect, and report new alerts.

Each cycle compares the folder with what it saw before (size and mtime per file); new and changed
files are ingested (the lake's ledger makes a file that only grew cost its new lines), then the
rules run over the lake and the analytics score the days that received events. Alerts that the
cycle created are handed to ``on_alert``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from labwarden.core.workspace import Workspace
from labwarden.store.alerts import StoredAlert
from labwarden.store.catalog import Catalog
from labwarden.watch import service
from labwarden.watch.analytics.engine import AnalyticsConfig
from labwarden.watch.analytics.service import run_analytics
from labwarden.watch.detect.sigma.rules import RuleSet

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Cycle:
    """What one pass over the folder did."""

    files: list[Path] = field(default_factory=list)
    events: int = 0
    issues: int = 0
    """Problems reported: one per file not ingested, one per bad record."""
    failed: int = 0
    """Files not ingested (unknown format, unreadable)."""
    new_alerts: list[StoredAlert] = field(default_factory=list)


def snapshot(folder: Path) -> dict[Path, tuple[int, int]]:
    """``(size, mtime_ns)`` of every visible file below ``folder``."""
    found: dict[Path, tuple[int, int]] = {}
    for path in folder.rglob("*"):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        try:
            st = path.stat()
        except OSError:
            continue
        if path.is_file():
            found[path] = (st.st_size, st.st_mtime_ns)
    return found


class Follower:
    """The state of ``labwarden watch`` between cycles."""

    def __init__(
        self,
        workspace: Workspace,
        folder: Path,
        rules: RuleSet | None,
        analytics: AnalyticsConfig | None,
    ) -> None:
        self.workspace = workspace
        self.folder = folder
        self.rules = rules
        self.analytics = analytics
        self.seen: dict[Path, tuple[int, int]] = {}

    def cycle(self) -> Cycle:
        """Ingest what changed since the last cycle; detect and score if events arrived."""
        now = snapshot(self.folder)
        changed = sorted(p for p, stamp in now.items() if self.seen.get(p) != stamp)
        self.seen = now
        result = Cycle(files=changed)
        if not changed:
            return result
        with Catalog.open(self.workspace) as catalog:
            before = catalog.alerts.last_id()
            ingested = service.ingest_paths(self.workspace, catalog, changed)
            result.events = ingested.events
            result.issues = len(ingested.issues)
            result.failed = sum(1 for f in ingested.files if f.status == "failed")
            if ingested.events:
                if self.rules is not None:
                    service.detect(self.workspace, catalog, self.rules)
                if self.analytics is not None:
                    run_analytics(self.workspace, catalog, self.analytics)
            result.new_alerts = [a for a in catalog.alerts.find(status=None) if a.id > before]
        return result


def follow(
    follower: Follower,
    *,
    interval: float,
    on_cycle: Callable[[Cycle], None],
    cycles: int | None = None,
) -> None:
    """Run cycles every ``interval`` seconds (``cycles`` of them, or until interrupted)."""
    done = 0
    while cycles is None or done < cycles:
        started = time.monotonic()
        on_cycle(follower.cycle())
        done += 1
        if cycles is not None and done >= cycles:
            return
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
