"""The watch capability as library calls (the CLI and the demo only call these)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa

from labwarden.core.errors import InputError
from labwarden.core.events import parse_iso_time
from labwarden.core.workspace import Workspace
from labwarden.engines.duckdb import connect
from labwarden.engines.interface import Engine, EngineError
from labwarden.inventory.policy import load_policy
from labwarden.store.catalog import Catalog
from labwarden.store.lake import Lake
from labwarden.trace.canaries.sweep import sweep as canary_sweep
from labwarden.watch import alerting
from labwarden.watch.detect.routine import (
    BASELINE_TAG,
    LAKE_START_SQL,
    ROLE_MEMBERS_SQL,
    ROLES_TABLE,
    RoleMembers,
    Routine,
    baseline_roles,
    role_members,
    split_routine,
)
from labwarden.watch.detect.run import Detection, DetectResult, run_rules
from labwarden.watch.detect.sigma.rules import CompiledRule, RuleSet, bundled_rules_dir, load
from labwarden.watch.ingest import Ingestor, IngestResult
from labwarden.watch.parsers.authlog import SyslogClock
from labwarden.watch.parsers.base import Issue
from labwarden.watch.resources import load_resolver


def ingest_paths(
    workspace: Workspace,
    catalog: Catalog,
    paths: Iterable[Path],
    *,
    fmt: str | None = None,
    mapping: Mapping[str, str] | None = None,
    report: Callable[[Issue], None] | None = None,
    threads: int | None = None,
    clock: SyslogClock | None = None,
) -> IngestResult:
    """Ingest log files or folders into the workspace's lake, resolving assets in ``catalog``;
    ``clock`` gives year-less syslog stamps their year and zone."""
    workspace.ensure()
    policy = load_policy(workspace.policy_path) if workspace.policy_path.is_file() else None
    resolver = load_resolver(workspace.root, catalog, policy)
    ingestor = Ingestor(
        Lake(workspace.lake_path),
        resolver,
        fmt=fmt,
        mapping=mapping,
        report=report,
        threads=threads,
        clock=clock,
    )
    try:
        return ingestor.run(list(paths))
    finally:
        ingestor.close()


def syslog_clock(year: int | None, timezone: str | None) -> SyslogClock | None:
    """``--year`` and ``--timezone`` as a clock (``None`` when neither is given)."""
    if year is None and not timezone:
        return None
    zone: tzinfo = UTC
    if timezone:
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError(
                f"--timezone {timezone!r}: not a time zone (e.g. Europe/Copenhagen or UTC)"
            ) from None
    return SyslogClock(year, zone)


def parse_time(text: str | None, option: str) -> datetime | None:
    """An ISO 8601 time or date given on the command line (UTC when no offset)."""
    if not text:
        return None
    try:
        return parse_iso_time(text)
    except ValueError:
        raise InputError(
            f"{option} {text!r}: expected an ISO 8601 time such as 2026-10-01T08:00Z"
        ) from None


def time_filter(since: datetime | None, until: datetime | None) -> str:
    """`` AND time ...`` SQL for a time range."""
    out = ""
    if since is not None:
        out += f" AND time >= TIMESTAMPTZ '{since.isoformat()}'"
    if until is not None:
        out += f" AND time < TIMESTAMPTZ '{until.isoformat()}'"
    return out


@dataclass(slots=True)
class DetectRun:
    """Everything ``labwarden detect`` learned."""

    rules: RuleSet
    result: DetectResult
    new_alerts: int
    updated_alerts: int
    routine: list[Routine] = field(default_factory=list)
    """Volume detections left out as what the principal or its role does every day."""


def compile_rules(
    rule_paths: Sequence[Path],
    *,
    bundled: bool = True,
    since: datetime | None = None,
    until: datetime | None = None,
) -> RuleSet:
    """Load the bundled pack (unless ``bundled`` is false) and the rules below ``rule_paths``."""
    paths = ([bundled_rules_dir()] if bundled else []) + list(rule_paths)
    if not paths:
        raise InputError("no rules: give --rules DIR or keep the bundled pack")
    return load(paths, time_filter=time_filter(since, until))


def _role_members(con: Engine, detections: list[Detection]) -> RoleMembers:
    """Who acted through the roles of the volume detections, each day (see split_routine)."""
    roles = baseline_roles(detections)
    if not roles:
        return {}
    with con.registered(ROLES_TABLE, pa.table({"role": pa.array(roles, pa.string())})):
        return role_members(con.rows(ROLE_MEMBERS_SQL))


def detect(
    workspace: Workspace,
    catalog: Catalog,
    rules: RuleSet,
    *,
    store: bool = True,
    progress: Callable[[CompiledRule], None] | None = None,
    threads: int | None = None,
    engine: Engine | None = None,
    lake: Path | str | None = None,
) -> DetectRun:
    """Run ``rules`` over the lake and store the detections as alerts.

    ``engine`` runs the queries (default: a DuckDB session of ``threads``; a given engine is
    left open for the caller); ``lake`` reads another lake than the workspace's (a folder, or
    for Spark an ``s3a://`` URL).
    """
    con = engine if engine is not None else connect(threads=threads)
    try:
        try:
            con.events_view(lake if lake is not None else workspace.lake_path)
        except EngineError as exc:
            raise InputError(f"cannot read the lake: {str(exc).splitlines()[0]}") from exc
        result = run_rules(con, rules.rules, progress=progress)
        members = _role_members(con, result.detections)
        volume = any(BASELINE_TAG in d.rule.tags for d in result.detections)
        start = con.rows(LAKE_START_SQL)[0][0] if volume else None
    finally:
        if engine is None:
            con.close()
    result.detections, routine = split_routine(result.detections, members, start)
    new = updated = 0
    if store and result.detections:
        new, updated = alerting.store(catalog, result.detections)
    if store:  # canaries registered in the catalog: their touches are alerts too
        touches = canary_sweep(workspace, catalog)
        new, updated = new + touches.new_alerts, updated + touches.updated_alerts
    return DetectRun(rules, result, new, updated, routine)


@dataclass(slots=True)
class EventQuery:
    """Filters of ``labwarden events``."""

    since: datetime | None = None
    until: datetime | None = None
    principal: str | None = None
    asset: str | None = None
    action: str | None = None
    source: str | None = None
    limit: int = 100


def query_events(
    workspace: Workspace,
    query: EventQuery | None = None,
    sql: str | None = None,
    *,
    engine: Engine | None = None,
) -> pa.Table:
    """Events matching ``query``, newest first, or the result of raw DuckDB ``sql``.

    ``sql`` runs on a connection where ``events`` is the lake; errors name the problem.
    ``engine``: a session that already has the ``events`` view (the web server keeps a few
    open, since opening one costs more than most queries); it is left open.
    """
    con = engine or connect()
    try:
        if engine is None:
            con.events_view(workspace.lake_path)
        if sql is not None:
            try:
                return con.table(sql)
            except EngineError as exc:
                raise InputError(f"--sql: {str(exc).splitlines()[0]}") from exc
        query = query or EventQuery()
        where, params = _event_filters(query)
        params.append(int(query.limit))
        return con.table(
            f"SELECT * EXCLUDE (raw) FROM events WHERE {' AND '.join(where)} "  # noqa: S608
            "ORDER BY time DESC LIMIT ?",
            params,
        )
    finally:
        if engine is None:
            con.close()


def _event_filters(query: EventQuery) -> tuple[list[str], list[object]]:
    """The WHERE terms and parameters of ``query``'s filters."""
    where: list[str] = ["1 = 1"]
    params: list[object] = []
    if query.since is not None:
        where.append("time >= ?")
        params.append(query.since)
    if query.until is not None:
        where.append("time < ?")
        params.append(query.until)
    if query.principal:
        # The session identity, its ARN or key, or its role (every session of the role).
        where.append(
            "(actor_user ILIKE ? OR actor_uid ILIKE ? OR access_key = ? OR actor_role ILIKE ?)"
        )
        params.extend(
            [
                _like(query.principal),
                _like(query.principal),
                query.principal,
                _like(query.principal),
            ]
        )
    if query.asset:
        if query.asset.isdigit():
            where.append("asset_id = ?")
            params.append(int(query.asset))
        else:
            where.append("(asset_name ILIKE ? OR resource_uri ILIKE ?)")
            params.extend([_like(query.asset), _like(query.asset)])
    if query.action:
        where.append("(api_operation ILIKE ? OR activity ILIKE ?)")
        params.extend([_like(query.action), _like(query.action)])
    if query.source:
        where.append("source = ?")
        params.append(query.source)
    return where, params


def _like(text: str) -> str:
    """``*`` wildcards as LIKE patterns; text without them matches whole values."""
    return text.replace("*", "%")
