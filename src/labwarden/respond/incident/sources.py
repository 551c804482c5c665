"""Timeline lines that do not come from the lake query: alerts, catalog history, seal
verifications, triage archives, and the incident's own notes and changes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from labwarden.core.events import parse_iso_time
from labwarden.core.incident import StoredIncident
from labwarden.inventory.versions import location
from labwarden.respond.incident import lake_lines
from labwarden.respond.incident.entries import TimelineEntry, micros
from labwarden.respond.incident.triage_feed import FileTimes, TriageFeed
from labwarden.store.alerts import StoredAlert
from labwarden.store.catalog import Catalog


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parse_iso_time(text)
    except ValueError:
        return None


def alert_lines(alerts: Iterable[StoredAlert], lake_uids: set[str]) -> Iterator[TimelineEntry]:
    """Each alert at its first event, and its evidence events the lake query did not return
    (another principal's, or events the lake no longer holds)."""
    for alert in alerts:
        first = _when(alert.first_seen)
        if first is not None:
            yield TimelineEntry(
                time=first,
                timestamp_desc="Alert First Seen",
                source="alert",
                kind="alert",
                message=f"alert {alert.id} [{alert.severity.value}, risk {alert.risk}] "
                f"{alert.rule_title}: {alert.event_count} events"
                + (f" by {alert.principal}" if alert.principal else "")
                + (f" until {alert.last_seen}" if alert.last_seen != alert.first_seen else ""),
                ref=f"alert:{alert.id:012d}",
                fields={
                    "principal": alert.principal,
                    "alerts": [alert.id],
                    "asset_id": alert.asset_id,
                    "resource": ", ".join(alert.assets) or None,
                    "asset_sensitivity": alert.sensitivity,
                },
            )
        for event in alert.evidence:
            uid = str(event.get("event_uid") or "")
            when = _when(str(event.get("time") or ""))
            if uid in lake_uids or when is None:
                continue
            yield lake_lines.entry({**event, "time": when}, "alert", [alert.id])


def asset_lines(
    catalog: Catalog, asset_ids: Iterable[int], since: str | None
) -> Iterator[TimelineEntry]:
    """Catalog history (added, modified, removed, reclassified, sealed) and seal
    verifications of the assets, from the start of the window on."""
    for asset_id in sorted(set(asset_ids)):
        if not catalog.assets.exists(asset_id):
            continue
        asset = catalog.assets.get(str(asset_id))
        base = {
            "asset_id": asset.id,
            "asset_name": asset.name,
            "resource": asset.uri,
            "asset_sensitivity": asset.sensitivity.value,
        }
        for number, change in enumerate(catalog.assets.history(asset.id)):
            when = _when(change.at)
            if when is None or (since and change.at < since):
                continue
            detail = json.dumps(change.detail, default=str) if change.detail else ""
            yield TimelineEntry(
                time=when,
                timestamp_desc=f"Asset {change.change.capitalize()}",
                source="catalog",
                kind="asset",
                message=f"asset {asset.name} ({asset.kind.value}) {change.change} {detail}".strip(),
                ref=f"asset:{asset.id:012d}:{number:06d}",
                fields=dict(base),
            )
        yield from _verification_lines(catalog, asset.id, base, since)


def _ns(text: str | None, default: int) -> int:
    when = _when(text)
    return default if when is None else micros(when) * 1000


def object_lines(
    catalog: Catalog, asset_ids: Iterable[int], since: str | None, until: str | None
) -> Iterator[TimelineEntry]:
    """Object versions written and delete markers placed in the window, in the object-store
    assets' history as scans listed it (an overwrite or a deletion the access logs may miss)."""
    second = 1_000_000_000  # listings give times to the second (or ms): keep that second
    start, end = _ns(since, 0) // second * second, _ns(until, 2**63 - 1)
    for asset_id in sorted(set(asset_ids)):
        if not catalog.assets.exists(asset_id):
            continue
        asset = catalog.assets.get(str(asset_id))
        if not asset.uri.startswith("s3://"):
            continue
        bucket, prefix = location(catalog, asset.uri)
        for version in catalog.object_versions.changed_between(bucket, prefix, start, end):
            what = "delete marker placed on" if version.delete_marker else "version written of"
            detail = "" if version.delete_marker else f", {version.size} bytes, ETag {version.etag}"
            yield TimelineEntry(
                time=datetime.fromtimestamp(version.last_modified_ns // 1000 / 1e6, UTC),
                timestamp_desc="Delete Marker Created"
                if version.delete_marker
                else "Object Version Created",
                source="catalog",
                kind="object",
                message=f"{what} s3://{bucket}/{version.key} (version {version.version_id}"
                f"{detail}{', current' if version.is_latest else ''})",
                ref=f"object:{bucket}/{version.key}:{version.version_id}",
                fields={
                    "asset_id": asset.id,
                    "asset_name": asset.name,
                    "resource": f"s3://{bucket}/{version.key}",
                    "asset_sensitivity": asset.sensitivity.value,
                    "principal": version.owner or None,
                },
            )


def _verification_lines(
    catalog: Catalog, asset_id: int, base: Mapping[str, Any], since: str | None
) -> Iterator[TimelineEntry]:
    for version in catalog.seals.versions(asset_id):
        for number, check in enumerate(catalog.seals.verifications(version.id)):
            when = _when(str(check.get("checked_at")))
            if when is None or (since and str(check["checked_at"]) < since):
                continue
            outcome = str(check.get("outcome"))
            failed = outcome != "verified"
            yield TimelineEntry(
                time=when,
                timestamp_desc="Seal Verification Failed" if failed else "Seal Verified",
                source="seal",
                kind="seal",
                message=f"{version.ref} ({base['asset_name']}) against {check.get('target')}: "
                f"{outcome}" + (f" ({_changes(check)})" if failed else ""),
                ref=f"seal:{version.id:012d}:{number:06d}",
                fields={**base, "status": outcome},
            )


def _changes(check: Mapping[str, Any]) -> str:
    counts = check.get("counts")
    if isinstance(counts, dict):
        return ", ".join(f"{n} {k}" for k, n in counts.items() if n) or "no file changed"
    return str(check.get("error") or "see `labwarden verify`")


def _in_window(when: datetime, since: str | None, until: str | None) -> bool:
    text = when.isoformat()
    return (not since or text >= since) and (not until or text <= until)


_EVENT_DESC = {
    "auth": "Authentication",
    "history": "Shell Command",
    "process": "Process Start",
}


def triage_lines(
    feed: TriageFeed, lake_uids: set[str], since: str | None, until: str | None
) -> Iterator[TimelineEntry]:
    """An archive's records not already in the lake lines, its file times and its findings,
    within the window."""
    for event in feed.events:
        if str(event.get("event_uid")) in lake_uids or not _in_window(event["time"], since, until):
            continue
        line = lake_lines.entry(event, "triage", desc=_desc(event))
        line.fields["archive"] = feed.archive
        yield line
    for item in feed.files:
        yield from _file_lines(feed, item, since, until)
    for placed in feed.findings:
        if not _in_window(placed.time, since, until):
            continue
        finding = placed.finding
        location = finding.get("location") or {}
        where = location.get("path") if isinstance(location, dict) else None
        line_no = location.get("line") if isinstance(location, dict) else None
        yield TimelineEntry(
            time=placed.time,
            timestamp_desc=placed.time_desc,
            source="triage",
            kind="finding",
            message=f"[{finding.get('severity')}] {finding.get('rule')}: {finding.get('message')}",
            ref=f"finding:{finding.get('fingerprint')}",
            fields={
                "host": feed.host,
                "origin": f"{where}:{line_no}" if where and line_no else where,
                "status": finding.get("severity"),
                "archive": feed.archive,
            },
        )


def _desc(event: Mapping[str, Any]) -> str:
    if event.get("api_operation") in ("wtmp", "btmp", "utmp", "wtmpdb"):
        return "Login" if event.get("activity") == "logon" else "Logoff"
    if event.get("api_operation") == "history" and '"timed":false' in str(event.get("raw")):
        return "History File Modified (command not timed)"
    kind, default = lake_lines.kind_of(event)
    return _EVENT_DESC.get(kind, default)


def _file_lines(
    feed: TriageFeed, item: FileTimes, since: str | None, until: str | None
) -> Iterator[TimelineEntry]:
    times: dict[datetime, list[str]] = {}
    for label, when in (
        ("Modified", item.mtime),
        ("Changed", item.ctime),
        ("Created", item.crtime),
    ):
        if when is not None and _in_window(when, since, until):
            times.setdefault(when, []).append(label)
    for when, labels in times.items():
        yield TimelineEntry(
            time=when,
            timestamp_desc="File " + "/".join(labels),
            source="triage",
            kind="file",
            message=f"{item.path} ({item.mode}, uid {item.uid}, {item.size} bytes) "
            f"{'/'.join(labels).lower()}",
            ref=f"file:{item.line:09d}",
            fields={
                "host": feed.host,
                "resource": item.path,
                "origin": f"bodyfile:{item.line}",
                "archive": feed.archive,
            },
        )


def incident_lines(incident: StoredIncident) -> Iterator[TimelineEntry]:
    """The incident's notes and changes (the response, in the same stream)."""
    for note in incident.notes:
        when = _when(note.at)
        if when is not None:
            yield TimelineEntry(
                when,
                "Note Written",
                "incident",
                "note",
                f"{note.author}: {note.text}",
                f"note:{note.id:012d}",
            )
    for change in incident.changes:
        when = _when(change.at)
        if when is None or change.action == "noted":
            continue
        detail = json.dumps(change.detail, default=str)
        yield TimelineEntry(
            when,
            "Incident Changed",
            "incident",
            "change",
            f"{change.actor}: {change.action} {detail}",
            f"change:{change.id:012d}",
        )
