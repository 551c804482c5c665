"""Sigma correlation rules as DuckDB SQL that honours the ``timespan``.

A correlation fires for a group (the ``group-by`` values) when, within any window of
``timespan`` ending at one of its events, the condition holds:

* ``event_count``: the number of matching events;
* ``value_count``: the number of distinct values of ``condition.field``;
* ``value_sum`` / ``value_avg``: the sum or average of ``condition.field``;
* ``temporal``: every referenced rule matched (distinct rule names = number of rules).

Sliding windows are computed with ``RANGE BETWEEN INTERVAL ... PRECEDING``; consecutive firing
windows less than a timespan apart form one *episode*, which becomes one alert whose evidence
is the group's matching events inside the episode. ``lt``/``lte`` conditions ("too few") are
evaluated on fixed windows of one timespan instead, since a sliding window would fire at the
first event of every group.
"""

from __future__ import annotations

from dataclasses import dataclass

from sigma.correlations import (
    SigmaCorrelationConditionOperator,
    SigmaCorrelationRule,
    SigmaCorrelationType,
)

from labwarden.watch.detect.sigma.backend import field_sql, sql_literal

_OPS = {
    SigmaCorrelationConditionOperator.LT: "<",
    SigmaCorrelationConditionOperator.LTE: "<=",
    SigmaCorrelationConditionOperator.GT: ">",
    SigmaCorrelationConditionOperator.GTE: ">=",
    SigmaCorrelationConditionOperator.EQ: "=",
    SigmaCorrelationConditionOperator.NEQ: "<>",
}
SUPPORTED = {
    SigmaCorrelationType.EVENT_COUNT,
    SigmaCorrelationType.VALUE_COUNT,
    SigmaCorrelationType.VALUE_SUM,
    SigmaCorrelationType.VALUE_AVG,
    SigmaCorrelationType.TEMPORAL,
}


class CorrelationError(ValueError):
    """A correlation rule this engine cannot run, with the reason."""


@dataclass(frozen=True, slots=True)
class Member:
    """One referenced rule: its name, its WHERE expression and its mapped fields."""

    name: str
    where: str
    group_fields: list[str]
    """Mapped field names for the correlation's ``group-by``, in order."""
    value_field: str | None


EPISODES_RELATION = "correlation_episodes"
"""Where the evidence query finds the episodes the episodes query returned."""


@dataclass(frozen=True, slots=True)
class CorrelationSQL:
    """The two queries of one correlation: its episodes and their evidence events."""

    episodes: str
    """Columns: ``gkey``, ``g0..gN``, ``start_time``, ``end_time``, ``value`` (the aggregate),
    ``events`` (most events in one firing window) and ``episode``."""
    evidence: str
    """Columns: ``gkey``, ``episode``, ``event_uid`` plus event fields, ordered by time. Reads the
    episodes from relation :data:`EPISODES_RELATION`, the result of :attr:`episodes` (the
    windowed aggregate is the costly part: it is computed once)."""
    group_by: list[str]


def build(
    rule: SigmaCorrelationRule, members: list[Member], time_filter: str, evidence_limit: int
) -> CorrelationSQL:
    """The SQL of ``rule`` over view ``events`` restricted by ``time_filter``."""
    if rule.type not in SUPPORTED:
        raise CorrelationError(f"correlation type {rule.type.name.lower()} is not supported")
    seconds = int(rule.timespan.seconds)
    if seconds <= 0:
        raise CorrelationError("correlation needs a positive timespan")
    condition = rule.condition
    op = getattr(condition, "op", None)
    count = getattr(condition, "count", None)
    if op not in _OPS or count is None:
        raise CorrelationError("only simple conditions (gt/gte/lt/lte/eq/neq: N) are supported")
    group_by = list(rule.group_by or [])
    selects = []
    for member in members:
        groups = ", ".join(
            f"CAST({field_sql(f)} AS VARCHAR) AS g{i}" for i, f in enumerate(member.group_fields)
        )
        value = (
            f"CAST({field_sql(member.value_field)} AS VARCHAR)"
            if member.value_field
            else "NULL::VARCHAR"
        )
        selects.append(
            f"SELECT time, event_uid, {sql_literal(member.name)} AS rule_name, {value} AS v"  # noqa: S608
            + (f", {groups}" if groups else "")
            + f" FROM events WHERE ({member.where}){time_filter}"
        )
    gcols = [f"g{i}" for i in range(len(group_by))]
    gkey = (
        "concat_ws(chr(31), " + ", ".join(f"coalesce({g}, '')" for g in gcols) + ")"
        if gcols
        else "''"
    )
    union = " UNION ALL ".join(selects)
    aggregate = {
        SigmaCorrelationType.EVENT_COUNT: "count(*)",
        SigmaCorrelationType.VALUE_COUNT: "count(DISTINCT v)",
        SigmaCorrelationType.VALUE_SUM: "sum(TRY_CAST(v AS DOUBLE))",
        SigmaCorrelationType.VALUE_AVG: "avg(TRY_CAST(v AS DOUBLE))",
        SigmaCorrelationType.TEMPORAL: "count(DISTINCT rule_name)",
    }[rule.type]
    threshold = f"{_OPS[op]} {count}"
    if rule.type is SigmaCorrelationType.TEMPORAL:
        threshold = f">= {len({m.name for m in members})}"
    span = f"INTERVAL {seconds} SECOND"
    gsel = ", ".join(gcols)
    gsel_comma = (gsel + ", ") if gsel else ""
    matches = f"m AS (SELECT *, {gkey} AS gkey FROM ({union}))"  # noqa: S608
    if op in (SigmaCorrelationConditionOperator.LT, SigmaCorrelationConditionOperator.LTE):
        episodes = (
            f"WITH {matches}, b AS (SELECT gkey, {gsel_comma}"  # noqa: S608
            f"time_bucket({span}, time, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS bucket, "
            f"{aggregate} AS value, count(*) AS events FROM m GROUP BY ALL) "
            f"SELECT gkey, {gsel_comma}bucket AS start_time, bucket + {span} AS end_time, value, "
            f"events, "
            f"row_number() OVER (PARTITION BY gkey ORDER BY bucket) AS episode "
            f"FROM b WHERE value {threshold}"
        )
    else:
        source, pruning = "m", ""
        bound = _bound(rule.type, op, count, len({m.name for m in members}))
        if bound is not None:
            source, pruning = "mk", _pruning(seconds, bound)
        episodes = (
            f"WITH {matches}{pruning}, "  # noqa: S608
            f"w AS (SELECT gkey, {gsel_comma}time, {aggregate} OVER win AS value, "
            f"count(*) OVER win AS events FROM {source} WINDOW win AS (PARTITION BY gkey "
            f"ORDER BY time RANGE BETWEEN {span} PRECEDING AND CURRENT ROW)), "
            f"q AS (SELECT DISTINCT * FROM w WHERE value {threshold}), "
            f"e AS (SELECT *, CASE WHEN lag(time) OVER (PARTITION BY gkey ORDER BY time) IS NULL "
            f"OR time - lag(time) OVER (PARTITION BY gkey ORDER BY time) > {span} THEN 1 ELSE 0 "
            f"END AS fresh FROM q), "
            f"p AS (SELECT *, sum(fresh) OVER (PARTITION BY gkey ORDER BY time "
            f"ROWS UNBOUNDED PRECEDING) AS episode FROM e) "
            f"SELECT gkey, {gsel_comma}min(time) - {span} AS start_time, max(time) AS end_time, "
            f"max(value) AS value, max(events) AS events, episode FROM p "
            f"GROUP BY gkey, {gsel_comma}episode"
        )
    evidence = (
        f"WITH {matches}, ep AS (SELECT * FROM {EPISODES_RELATION}), "  # noqa: S608
        f"hits AS (SELECT m.gkey, ep.episode, m.event_uid, m.time, m.rule_name, "
        f"row_number() OVER (PARTITION BY m.gkey, ep.episode "
        f"ORDER BY m.time, m.event_uid, m.rule_name) AS n "
        f"FROM m JOIN ep ON m.gkey = ep.gkey AND m.time >= ep.start_time "
        f"AND m.time <= ep.end_time) "
        f"SELECT gkey, episode, event_uid, rule_name FROM hits WHERE n <= {int(evidence_limit)} "
        f"ORDER BY gkey, episode, time, event_uid, rule_name"
    )
    return CorrelationSQL(episodes, evidence, group_by)


PRUNE_SLICES = 4
"""Buckets per timespan for pruning: a window spans at most this many plus one buckets."""


def _bound(
    kind: SigmaCorrelationType,
    op: SigmaCorrelationConditionOperator,
    count: int | float,
    members: int,
) -> tuple[str, str] | None:
    """An additive measure of a window's matches and the test it must pass for the condition
    to hold, when such a bound exists: ``(aggregate over m, comparison)``.

    Counts of events, of distinct values and of distinct rules never exceed the number of
    events; a sum never exceeds the sum of its positive terms. Averages and upper limits give
    no bound.
    """
    positive = "sum(greatest(coalesce(TRY_CAST(v AS DOUBLE), 0), 0))"
    if kind is SigmaCorrelationType.TEMPORAL:
        return "count(*)", f">= {int(members)}"
    measure = {
        SigmaCorrelationType.EVENT_COUNT: "count(*)",
        SigmaCorrelationType.VALUE_COUNT: "count(*)",
        SigmaCorrelationType.VALUE_SUM: positive,
    }.get(kind)
    if measure is None:
        return None
    if op is SigmaCorrelationConditionOperator.GT:
        return measure, f"> {count}"
    if op in (SigmaCorrelationConditionOperator.GTE, SigmaCorrelationConditionOperator.EQ):
        return measure, f">= {count}"
    return None


def _pruning(seconds: int, bound: tuple[str, str]) -> str:
    """CTEs ``mb``, ``hot``, ``keep``, ``mk``: the matches (``m``) that any firing window needs.

    The bound's measure is taken per bucket of a :data:`PRUNE_SLICES`-th of the timespan. A
    window ending in bucket B lies within buckets B-k..B, so it can fire only if those pass the
    bound together; the events of such bucket runs are kept and the costly sliding window runs
    over them alone. Every firing window keeps all its events, so results are unchanged.
    """
    measure, test = bound
    width = max(1, seconds // PRUNE_SLICES)
    slices = -(-seconds // width)  # buckets B-slices..B cover any window ending in B
    origin = "TIMESTAMPTZ '1970-01-01 00:00:00+00'"
    return (
        f", mb AS (SELECT gkey, time_bucket(INTERVAL {width} SECOND, time, {origin}) AS b, "  # noqa: S608
        f"{measure} AS n FROM m GROUP BY ALL), "
        f"hot AS (SELECT gkey, b FROM (SELECT gkey, b, sum(n) OVER (PARTITION BY gkey "
        f"ORDER BY b RANGE BETWEEN INTERVAL {slices * width} SECOND PRECEDING "
        f"AND CURRENT ROW) AS s FROM mb) WHERE s {test}), "
        f"keep AS (SELECT DISTINCT gkey, b - i * INTERVAL {width} SECOND AS b "
        f"FROM hot, range(0, {slices + 1}) AS r(i)), "
        f"mk AS (SELECT m.* FROM m SEMI JOIN keep k ON m.gkey = k.gkey "
        f"AND time_bucket(INTERVAL {width} SECOND, m.time, {origin}) = k.b)"
    )
