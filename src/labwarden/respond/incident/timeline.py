"""An incident's timeline: one ordered stream of everything relevant to it.

* lake events of its principals, access keys, hosts, addresses, user agents and buckets within
  its window (:mod:`.lake_lines`);
* its alerts, at their first event, and their evidence the lake query did not return;
* catalog history of the assets touched or linked (added, modified, removed, reclassified,
  sealed) and their seal verifications, failures first among equals;
* attached triage archives: logins, authentication lines, processes, shell history commands,
  bodyfile times and findings, each once even when triage also fed the lake;
* the incident's notes and changes.

The lake part stays an Arrow table and is converted as it is written; the rest is small and
merged into it in order (:class:`Timeline` is iterable once per call to :meth:`lines`).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from labwarden.core.errors import InputError
from labwarden.core.incident import StoredIncident
from labwarden.core.workspace import Workspace
from labwarden.engines.duckdb import connect
from labwarden.engines.interface import Engine, EngineError
from labwarden.respond.incident import lake_lines, sources
from labwarden.respond.incident.entries import TimelineEntry
from labwarden.respond.incident.triage_feed import TriageFeed, read_archive
from labwarden.seal.hashing import digest_handle
from labwarden.store.catalog import Catalog


@dataclass(slots=True)
class Timeline:
    """The lines of one incident's timeline and what is known to be missing from it."""

    incident: StoredIncident
    lake: pa.Table
    others: list[TimelineEntry]
    evidence: dict[str, list[int]] = field(default_factory=dict)
    feeds: list[TriageFeed] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the timeline cannot show, and why (no selectors, no events, archive problems)."""

    def __len__(self) -> int:
        return int(self.lake.num_rows) + len(self.others)

    def lines(self) -> Iterator[TimelineEntry]:
        """Every line, in order (time, source, reference)."""
        yield from heapq.merge(
            lake_lines.entries(self.lake, self.evidence), self.others, key=lambda e: e.key
        )

    @property
    def lake_events(self) -> int:
        """Lines from the lake query."""
        return int(self.lake.num_rows)


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return digest_handle(handle, "sha256")


def read_feeds(incident: StoredIncident, notes: list[str]) -> list[TriageFeed]:
    """The incident's triage archives, read and checked; problems become ``notes``."""
    feeds: list[TriageFeed] = []
    for attachment in incident.attachments:
        if attachment.kind != "triage":
            continue
        path = Path(attachment.path)
        try:
            if _sha256(path) != attachment.sha256:
                notes.append(
                    f"triage archive {path}: changed since it was attached (SHA-256 differs); "
                    "its records are shown but cannot be vouched for"
                )
            feeds.append(read_archive(path))
        except OSError as exc:
            notes.append(f"triage archive {path}: cannot be read ({exc.strerror}); left out")
        except InputError as exc:
            notes.append(f"triage archive {exc.message}; left out")
    for feed in feeds:
        if not feed.intact:
            notes.append(
                f"triage archive {feed.archive}: does not match its manifest "
                f"({'; '.join(feed.problems[:3])})"
            )
    return feeds


def _lake_uids(lake: pa.Table, wanted: set[str]) -> set[str]:
    """Which of ``wanted`` uids the lake lines hold."""
    if not wanted or lake.num_rows == 0:
        return set()
    mask = pc.is_in(lake.column("event_uid"), value_set=pa.array(sorted(wanted), pa.string()))
    return {str(u) for u in lake.column("event_uid").filter(mask).to_pylist()}


def _assets(lake: pa.Table, incident: StoredIncident) -> set[int]:
    found = {int(a) for a in pc.unique(lake.column("asset_id")).to_pylist() if a is not None}
    return found | set(incident.asset_ids)


def build_timeline(
    catalog: Catalog, workspace: Workspace, incident: StoredIncident, engine: Engine | None = None
) -> Timeline:
    """Gather every line of ``incident``'s timeline (the lake query runs here)."""
    notes: list[str] = []
    own = engine is None
    con = engine or connect()
    try:
        if con.events_view(workspace.lake_path) == 0:
            notes.append(f"the event lake ({workspace.lake_path}) holds no events")
        lake = lake_lines.query(con, incident)
    except EngineError as exc:
        raise InputError(f"{workspace.lake_path}: cannot read the event lake: {exc}") from exc
    finally:
        if own:
            con.close()
    if lake_lines.selection(incident) is None:
        notes.append(
            "the incident has no selectors (principal, access key, host, address): no lake "
            "events are selected; `labwarden incident add` widens it"
        )
    elif lake.num_rows == 0:
        notes.append("no lake event matches the incident's selectors within its window")
    alerts = [catalog.alerts.get(a) for a in incident.alert_ids]
    evidence: dict[str, list[int]] = {}
    for alert in alerts:
        for event in alert.evidence:
            if event.get("event_uid"):
                evidence.setdefault(str(event["event_uid"]), []).append(alert.id)
    feeds = read_feeds(incident, notes)
    wanted = set(evidence) | {str(e.get("event_uid")) for f in feeds for e in f.events}
    in_lake = _lake_uids(lake, wanted)
    others = [
        *sources.alert_lines(alerts, in_lake),
        *sources.asset_lines(catalog, _assets(lake, incident), incident.since),
        *sources.object_lines(catalog, _assets(lake, incident), incident.since, incident.until),
        *(
            line
            for feed in feeds
            for line in sources.triage_lines(feed, in_lake, incident.since, incident.until)
        ),
        *sources.incident_lines(incident),
    ]
    others.sort(key=lambda e: e.key)
    _outside(feeds, others, in_lake, notes)
    _unresolved(lake, notes)
    return Timeline(incident, lake, others, evidence, feeds, notes)


def _outside(
    feeds: list[TriageFeed], others: list[TimelineEntry], in_lake: set[str], notes: list[str]
) -> None:
    """Say how many archive records the window left out (a window set from alerts may start
    after the host was broken into)."""
    for feed in feeds:
        shown = sum(1 for e in others if e.fields.get("archive") == feed.archive)
        shown += sum(1 for e in feed.events if str(e.get("event_uid")) in in_lake)
        total = len(feed.events) + len(feed.findings) + len(feed.files)
        if shown < total:
            notes.append(
                f"triage archive {feed.archive}: {total - shown} of its {total} records are "
                "outside the incident's window (widen it with `labwarden incident set ID "
                "--since ...`)"
            )


def _unresolved(lake: pa.Table, notes: list[str]) -> None:
    if lake.num_rows == 0:
        return
    touched = pc.is_valid(lake.column("resource_uri"))
    unresolved = pc.and_(touched, pc.is_null(lake.column("asset_id")))
    count = pc.sum(pc.cast(unresolved, pa.int64())).as_py() or 0
    if count:
        notes.append(
            f"{count} events name a resource that is in no catalog asset (not scanned, or "
            "outside the scanned roots): their sensitivity is unknown"
        )
