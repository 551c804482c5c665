"""``detect --iam``: judge the lake's object-store accesses by the access model, raise an alert
for each one the policies never granted, and give the run's other alerts the grant context
of what they saw ("first read of a bucket it was always allowed to read")."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from labwarden.core.errors import InputError
from labwarden.engines.duckdb import connect
from labwarden.engines.interface import Engine, EngineError
from labwarden.identity.grant_alerts import fingerprint as alert_fingerprint
from labwarden.identity.grant_alerts import never_granted
from labwarden.identity.grants import Access, lake_accesses
from labwarden.identity.reach import ModelAccess
from labwarden.identity.verdicts import GRANTED, NEVER
from labwarden.store.alerts import AlertRecord
from labwarden.store.catalog import Catalog
from labwarden.watch.analytics.engine import AnalyticsAlert
from labwarden.watch.analytics.service import fingerprint as analytics_fingerprint
from labwarden.watch.detect.run import Detection

log = logging.getLogger(__name__)

CONTEXT_LIMIT = 10
"""At most this many grant lines in one alert's context."""


@dataclass(frozen=True, slots=True)
class AlertTarget:
    """An alert of the run that should carry grant context."""

    fingerprint: str
    principal: str
    first: date
    last: date
    buckets: frozenset[str] | None
    """The buckets its evidence names; ``None``: every bucket of the principal those days."""


@dataclass(slots=True)
class GrantRun:
    """What one grant check did."""

    accesses: list[Access] = field(default_factory=list)
    alerts: list[AlertRecord] = field(default_factory=list)
    new_alerts: int = 0
    updated_alerts: int = 0
    annotated: int = 0

    def of(self, verdict: str) -> list[Access]:
        """The accesses with ``verdict``."""
        return [a for a in self.accesses if a.verdict == verdict]


def _bucket(event: dict[str, Any]) -> str | None:
    if event.get("resource_bucket"):
        return str(event["resource_bucket"])
    uri = str(event.get("resource_uri") or "")
    return uri.removeprefix("s3://").split("/", 1)[0] or None if uri.startswith("s3://") else None


def targets(
    detections: Sequence[Detection], analytics: Sequence[AnalyticsAlert]
) -> list[AlertTarget]:
    """The run's rule and analytics alerts that touched object stores."""
    found = []
    for detection in detections:
        buckets = frozenset(b for e in detection.evidence if (b := _bucket(e)))
        principals = {str(e["actor_user"]) for e in detection.evidence if e.get("actor_user")}
        principal = detection.group.get("actor_user") or (
            next(iter(principals)) if len(principals) == 1 else None
        )
        if buckets and principal:
            found.append(
                AlertTarget(
                    detection.fingerprint,
                    str(principal),
                    detection.first_seen.date(),
                    detection.last_seen.date(),
                    buckets,
                )
            )
    for alert in analytics:
        found.append(
            AlertTarget(analytics_fingerprint(alert), alert.principal, alert.day, alert.day, None)
        )
    return found


def context(target: AlertTarget, accesses: Sequence[Access]) -> list[Access]:
    """The accesses an alert's explanation should mention: those of its evidence's buckets,
    or for a principal-day every first use and every access not certainly granted."""
    found = [
        a
        for a in accesses
        if a.principal == target.principal
        and target.first <= a.day <= target.last
        and (
            a.bucket in target.buckets
            if target.buckets is not None
            else a.first_use or a.verdict != GRANTED
        )
    ]
    found.sort(key=lambda a: (a.verdict == GRANTED, not a.first_use, a.bucket, a.access))
    return found[:CONTEXT_LIMIT]


def _annotate(catalog: Catalog, run: GrantRun, wanted: Sequence[AlertTarget]) -> int:
    count = 0
    for target in wanted:
        lines = []
        for item in context(target, run.accesses):
            line = {"text": item.sentence(), **item.to_dict()}
            if item.verdict == NEVER:
                line["alert"] = catalog.alerts.id_of(alert_fingerprint(item))
            lines.append(line)
        # merged even when empty: lines an earlier run learned must not outlive new policies
        if catalog.alerts.merge_detail(target.fingerprint, {"grants": lines}) and lines:
            count += 1
    return count


def check_grants(
    lake: Path | str,
    catalog: Catalog,
    access: ModelAccess,
    wanted: Sequence[AlertTarget] = (),
    *,
    engine: Engine | None = None,
) -> GrantRun:
    """Judge the lake's accesses, store the never-granted alerts, annotate ``wanted``."""
    own = engine is None
    con = engine or connect()
    try:
        run = GrantRun(accesses=lake_accesses(access, lake, engine=con))
        try:
            run.alerts = never_granted(run.accesses, con, access.model)
        except EngineError as exc:
            raise InputError(f"{lake}: cannot read the lake's policy changes: {exc}") from exc
    finally:
        if own:
            con.close()
    run.new_alerts, run.updated_alerts = catalog.alerts.upsert(run.alerts)
    run.annotated = _annotate(catalog, run, wanted)
    log.debug("grants: %d accesses, %d alerts", len(run.accesses), len(run.alerts))
    return run
