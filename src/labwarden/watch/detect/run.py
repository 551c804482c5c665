"""Run compiled rules over the lake and collect detections with their evidence events.

A detection rule's matches are grouped per rule, principal and day: one detection each, with
the number of matching events and the first :data:`EVIDENCE_LIMIT` of them as evidence (a bulk
download of 40,000 objects is one alert, not 40,000). A correlation gives one detection per
group and episode.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from labwarden.engines.interface import Engine, EngineError
from labwarden.watch.detect.novelty import (
    INPUTS,
    NOVEL_RAW_VIEW,
    NOVEL_VIEW,
    NOVELTY_DIMENSIONS,
    create_novel_view,
    on_view,
    uses_novelty,
)
from labwarden.watch.detect.sigma.backend import RAW_CLOSE, RAW_OPEN, relaxed
from labwarden.watch.detect.sigma.correlation import EPISODES_RELATION
from labwarden.watch.detect.sigma.rules import EVIDENCE_LIMIT, CompiledRule, RuleProblem

log = logging.getLogger(__name__)

EVIDENCE_COLUMNS = (
    "event_uid",
    "time",
    "source",
    "actor_user",
    "actor_role",
    "src_ip",
    "src_country",
    "user_agent",
    "api_operation",
    "resource_uri",
    "asset_id",
    "asset_name",
    "asset_sensitivity",
    "asset_reason",
    "asset_canary",
    "bytes",
    "status",
    "origin_file",
    "origin_line",
)
"""Event fields kept with an alert as its evidence."""


@dataclass(slots=True)
class Detection:
    """One alert-to-be: a rule, what it grouped on, when, how many events and which."""

    rule: CompiledRule
    group: dict[str, str | None]
    first_seen: datetime
    last_seen: datetime
    count: int
    value: float | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """Stable identity: the same rule, group and start give the same alert on re-runs."""
        key = json.dumps(
            [
                self.rule.id,
                self.group,
                self.first_seen.isoformat()
                if self.rule.kind == "correlation"
                else self.first_seen.date().isoformat(),
            ],
            sort_keys=True,
        )
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    @property
    def assets(self) -> list[str]:
        """Names of the assets touched by the evidence."""
        return sorted({str(e["asset_name"]) for e in self.evidence if e.get("asset_name")})


@dataclass(slots=True)
class DetectResult:
    """Detections and what could not run."""

    detections: list[Detection] = field(default_factory=list)
    problems: list[RuleProblem] = field(default_factory=list)
    rules_run: int = 0
    seconds: float = 0.0


def _fetch(con: Engine, sql: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = con.table(sql).to_pylist()
    return rows


def _evidence(
    con: Engine, uids: Sequence[str], source: str = "events"
) -> dict[str, dict[str, Any]]:
    if not uids:
        return {}
    columns = ", ".join(f"e.{c}" for c in EVIDENCE_COLUMNS)
    with con.registered("wanted", pa.table({"event_uid": pa.array(uids, pa.string())})):
        rows = _fetch(
            con,
            f"SELECT {columns} FROM {source} e SEMI JOIN wanted w "  # noqa: S608
            "ON e.event_uid = w.event_uid",
        )
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        row["time"] = row["time"].isoformat() if row.get("time") else None
        found.setdefault(str(row["event_uid"]), row)
    return found


def run_rules(
    con: Engine,
    rules: Sequence[CompiledRule],
    *,
    progress: Callable[[CompiledRule], None] | None = None,
) -> DetectResult:
    """Run ``rules`` over the ``events`` view of ``con``."""
    started = time.perf_counter()
    result = DetectResult()
    pending: list[tuple[Detection, list[str]]] = []
    plan = _plan_raw(con, rules)
    # One scan of the lake makes the in-memory table every rule can run on but the few that
    # need whole raw records of many events: the columns, the raw paths of those rules'
    # fields, and the raw record only where some rule could match it.
    extracted = "".join(
        f", json_extract_string(raw, '{path}') AS {name}" for path, name in plan.paths.items()
    )
    kept = f"CASE WHEN {' OR '.join(plan.candidates)} THEN raw END" if plan.candidates else "NULL"
    columns = ", ".join(_columns_needed(con, rules))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {COLUMNS_TABLE} AS SELECT {columns}"  # noqa: S608
        f"{extracted}, CAST({kept} AS VARCHAR) AS raw FROM events"
    )
    if any(_needs_novelty(rule) for rule in rules):
        create_novel_view(con, COLUMNS_TABLE, "events")
    for rule in rules:
        if progress is not None:
            progress(rule)
        try:
            if rule.kind == "detection":
                if rule.generate:
                    pending.extend(_run_detection(con, rule, plan))
            else:
                pending.extend(_run_correlation(con, rule))
        except EngineError as exc:
            result.problems.append(
                RuleProblem(rule.path, rule.title, f"query failed: {str(exc).splitlines()[0]}")
            )
            continue
        result.rules_run += 1
    wanted = sorted({u for _, uids in pending for u in uids})
    found = _evidence(con, wanted, COLUMNS_TABLE)
    for detection, uids in pending:
        detection.evidence = [found[u] for u in uids if u in found]
        if detection.rule.kind == "correlation" and detection.evidence:
            # The episode's window starts before its first event; report the event.
            detection.first_seen = datetime.fromisoformat(str(detection.evidence[0]["time"]))
        result.detections.append(detection)
    for table in (COLUMNS_TABLE, "novelty", "src_failures"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    result.seconds = time.perf_counter() - started
    return result


COLUMNS_TABLE = "events_columns"
CANDIDATE_SHARE = 0.05
"""A rule that reads whole raw records keeps them in memory only if its conditions on the
columns admit at most this share of the events; otherwise it reads the lake itself."""

_RAW = re.compile(r"\braw\b")
_RAW_PATH = re.compile(r"json_extract_string\(raw, '((?:[^']|'')*)'\)")


@dataclass(slots=True)
class _RawPlan:
    """How rules that read the raw record are served from the in-memory table."""

    paths: dict[str, str] = field(default_factory=dict)
    """Raw JSON path (the SQL string literal's body) -> column extracted from every event."""
    candidates: list[str] = field(default_factory=list)
    """Conditions under which an event keeps its raw record in memory."""
    rewritten: dict[int, str] = field(default_factory=dict)
    """Rule id -> its WHERE over the in-memory table."""


def _plan_raw(con: Engine, rules: Sequence[CompiledRule]) -> _RawPlan:
    """Decide, from one count over the columns, how each raw-reading detection runs.

    A selective rule keeps the raw records of its candidates in memory: the events for which
    its :func:`relaxed` expression is not FALSE (no other event can match, by three-valued
    logic). An unselective rule whose raw conditions are JSON paths only reads columns
    extracted for every event. The rest read the lake.
    """
    plan = _RawPlan()
    raw_rules = [
        rule
        for rule in rules
        if rule.kind == "detection"
        and rule.generate
        and _RAW.search(rule.where)
        and not uses_novelty(rule.where)
    ]
    if not raw_rules:
        return plan
    conditions = [f"(({relaxed(rule.where)}) IS NOT FALSE)" for rule in raw_rules]
    counts = ", ".join(f"count_if({c})" for c in conditions)
    try:
        row = con.rows(f"SELECT count(*), {counts} FROM events")[0]  # noqa: S608
    except EngineError as exc:
        log.info("raw rules read the lake (%s)", str(exc).splitlines()[0])
        return plan
    total, per_rule = row[0] or 0, row[1:]
    for rule, condition, count in zip(raw_rules, conditions, per_rule, strict=True):
        if (count or 0) <= max(1000, total * CANDIDATE_SHARE):
            plan.candidates.append(condition)
            plan.rewritten[id(rule)] = rule.where
        elif _paths_only(rule.where):
            for path in _RAW_PATH.findall(rule.where):
                plan.paths.setdefault(path, f"raw_path_{len(plan.paths)}")
            plan.rewritten[id(rule)] = _RAW_PATH.sub(lambda m: plan.paths[m.group(1)], rule.where)
    return plan


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _columns_needed(con: Engine, rules: Sequence[CompiledRule]) -> list[str]:
    """The columns of ``events`` that some rule, the evidence or novelty reads (loading only
    those into memory saves a third of the scan on the SigmaHQ CloudTrail rules)."""
    texts = []
    for rule in rules:
        texts.append(rule.where)
        if rule.correlation is not None:
            texts += [rule.correlation.episodes, rule.correlation.evidence]
    words = set(_WORD.findall("\n".join(texts)))
    words.update(
        ("event_uid", "time", "actor_user", *EVIDENCE_COLUMNS, *NOVELTY_DIMENSIONS, *INPUTS)
    )
    present = con.columns("events")
    return [name for name in present if name in words and name != "raw"]


def _paths_only(where: str) -> bool:
    """Whether ``where`` reads the raw record through JSON paths only."""
    rest = _RAW_PATH.sub("", where).replace(RAW_OPEN, "").replace(RAW_CLOSE, "")
    return not _RAW.search(rest)


def _view(sql: str) -> str:
    """The relation a rule's query should read: the in-memory table, unless the query reads
    the raw record (then the lake, ``events``)."""
    novel = uses_novelty(sql)
    if _RAW.search(sql):
        return on_view(sql, NOVEL_RAW_VIEW) if novel else sql
    return on_view(sql, NOVEL_VIEW if novel else COLUMNS_TABLE)


def _needs_novelty(rule: CompiledRule) -> bool:
    if rule.kind == "detection":
        return uses_novelty(rule.where)
    return rule.correlation is not None and uses_novelty(rule.correlation.episodes)


def _run_detection(
    con: Engine, rule: CompiledRule, plan: _RawPlan
) -> list[tuple[Detection, list[str]]]:
    where = plan.rewritten.get(id(rule), rule.where)
    sql = (
        "SELECT actor_user, CAST(time AS DATE) AS day, count(*) AS n, min(time) AS first_seen, "  # noqa: S608
        "max(time) AS last_seen, "
        f"list(event_uid ORDER BY time, event_uid)[1:{EVIDENCE_LIMIT}] AS uids "
        f"FROM events WHERE {where} GROUP BY actor_user, CAST(time AS DATE) "
        "ORDER BY first_seen"
    )
    sql = on_view(sql, COLUMNS_TABLE) if id(rule) in plan.rewritten else _view(sql)
    rows = _fetch(con, sql)
    return [
        (
            Detection(
                rule=rule,
                group={"actor_user": row["actor_user"]},
                first_seen=row["first_seen"],
                last_seen=row["last_seen"],
                count=int(row["n"]),
            ),
            [str(u) for u in row["uids"]],
        )
        for row in rows
    ]


def _run_correlation(con: Engine, rule: CompiledRule) -> list[tuple[Detection, list[str]]]:
    sql = rule.correlation
    assert sql is not None
    found = con.table(_view(sql.episodes))
    if not found.num_rows:
        return []
    episodes: list[dict[str, Any]] = found.to_pylist()
    evidence: dict[tuple[str, int], list[str]] = {}
    with con.registered(EPISODES_RELATION, found):
        rows = _fetch(con, _view(sql.evidence))
    for row in rows:
        evidence.setdefault((row["gkey"], int(row["episode"])), []).append(str(row["event_uid"]))
    out = []
    for row in episodes:
        uids = evidence.get((row["gkey"], int(row["episode"])), [])
        group = {name: row.get(f"g{i}") for i, name in enumerate(sql.group_by)}
        value = row.get("value")
        out.append(
            (
                Detection(
                    rule=rule,
                    group=group,
                    first_seen=row["start_time"],
                    last_seen=row["end_time"],
                    count=int(row.get("events") or len(uids)),
                    value=float(value) if value is not None else None,
                ),
                uids,
            )
        )
    return out
