"""Score one day: compare each principal with its own window and its peers; combine into risk.

All arithmetic is SQL (DuckDB here, portable to Spark SQL); Python only turns the numbers of the
principals that become alerts into sentences (:mod:`explain`).

Points per component (a principal-day's risk is ``100 * (1 - exp(-points / SCALE))``):

* volume, per sensitivity tier (restricted weighs 1.5, confidential 1.0, the rest less):
  ``log2(bytes / reference)`` against the principal's own 90th percentile and against its peers'
  (a floor keeps tiny baselines from exploding), capped at 8; with history, the smaller of the two
  counts (a heavy reader among light peers is not anomalous, nor is a light reader's team-sized
  day); without history, the peers' alone;
* objects read, prefixes touched and listings against the own 90th percentile;
* first-seen facts (only for principals with history): a new network, country (not the
  ``private``/``public`` of an address without a location) or tool, new
  operations, first reads of restricted assets and new prefixes;
* activity at hours the principal is (almost) never active;
* a failure spike (reconnaissance);
* sustained reads: the last 7 days' active days against the principal's earlier median day (a
  week with a weekend off is not a light week), and how many of them went over its usual daily
  maximum (slow exfiltration that stays under daily thresholds).

A principal's own baseline is its last ``window`` *active* days within ``HORIZON_WINDOWS``
windows, not the last ``window`` calendar days, so that a job that runs weekly or monthly is
compared with its own previous runs, not with the days it is idle. It has history when it has
``MIN_HISTORY_DAYS`` of them, or when it recurs on a cadence: every gap between its active days,
today's included, is at least 2 days and about the same (a weekly job on its second Sunday, a
monthly report on its second month). A principal active on consecutive days needs the full
``MIN_HISTORY_DAYS``; a principal never seen has no history (its peers alone judge its volume).
"""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa

from labwarden.engines.interface import Engine
from labwarden.watch.analytics.features import unlocated_country

SCALE = 8.0
FLOOR_BYTES = 64 * 1024 * 1024
MIN_HISTORY_DAYS = 3
HORIZON_WINDOWS = 4
"""A principal's own baseline reaches back at most this many windows (for its active days)."""
MIN_CADENCE_DAYS = 2
"""Gaps of at least this many days between active days make a cadence (daily needs the count)."""
ODD_HOUR_SHARE = 0.01
TIERS = (("restricted", 1.5), ("confidential", 1.0), ("internal", 0.4), ("public", 0.2))

_T = [t for t, _ in TIERS]
_HOUR_FRAC = ", ".join(
    f"CAST(sum(h{h}) AS DOUBLE) / greatest(sum(events), 1) AS f{h}" for h in range(24)
)
_ODD = " + ".join(
    f"CASE WHEN o.active_days >= 5 AND o.f{h} < {ODD_HOUR_SHARE} THEN d.h{h} ELSE 0 END"
    for h in range(24)
)
_ODD_HOURS = ", ".join(
    f"CASE WHEN o.active_days >= 5 AND o.f{h} < {ODD_HOUR_SHARE} AND d.h{h} > 0 THEN {h} END"
    for h in range(24)
)


def _clamp(expr: str, high: float) -> str:
    return f"least(greatest({expr}, 0), {high})"


def _log2_ratio(value: str, reference: str) -> str:
    return f"log2(greatest({value}, 1) / greatest({reference}, 1))"


def score_sql(features: str, facts: str, peers: str) -> str:
    """Scores of every principal active on ``$day`` against its last ``$window`` active days
    since ``$horizon`` (and its peers over ``[$lo, $day)``, and ``$week``)."""
    own_q = ",\n      ".join(
        f"quantile_cont(bytes_{t}, 0.5) AS {t}_p50, quantile_cont(bytes_{t}, 0.9) AS {t}_p90"
        for t in _T
    )
    peer_q = ",\n      ".join(
        f"median(o.{t}_p90) AS peer_{t}_p90, median(o.{t}_p50) AS peer_{t}_p50" for t in _T
    )
    glob_q = ",\n      ".join(f"quantile_cont({t}_p90, 0.9) AS all_{t}_p90" for t in _T)
    vol_terms = []
    for tier, weight in TIERS:
        own_ref = f"greatest(coalesce(o.{tier}_p90, 0), {FLOOR_BYTES})"
        peer_ref = f"greatest(coalesce(p.peer_{tier}_p90, g.all_{tier}_p90, 0), {FLOOR_BYTES})"
        own_pts = _clamp(_log2_ratio(f"d.bytes_{tier}", own_ref), 8)
        peer_pts = _clamp(_log2_ratio(f"d.bytes_{tier}", peer_ref), 8)
        vol_terms.append(
            f"{weight} * CASE WHEN h.has_history "
            f"THEN least({own_pts}, {peer_pts}) ELSE {peer_pts} END AS vol_{tier}"
        )
    volume = ",\n      ".join(vol_terms)
    history = "h.has_history"
    return f"""
    WITH d AS (SELECT * FROM {features} WHERE day = CAST($day AS DATE)),
    ranked AS (
      SELECT *, row_number() OVER (PARTITION BY principal ORDER BY day DESC) AS recency
      FROM {features}
      WHERE day >= CAST($horizon AS DATE) AND day < CAST($day AS DATE)
    ),
    w AS (SELECT * FROM ranked WHERE recency <= $window),
    gaps AS (
      SELECT principal,
        date_diff('day', lag(day) OVER (PARTITION BY principal ORDER BY day), day) AS gap
      FROM (SELECT principal, day FROM w UNION ALL SELECT principal, day FROM d)
    ),
    cadence AS (
      SELECT principal, min(gap) AS min_gap, max(gap) AS max_gap
      FROM gaps WHERE gap IS NOT NULL GROUP BY principal
    ),
    o AS (
      SELECT principal, count(*) AS active_days,
      {own_q},
      quantile_cont(bytes_read, 0.5) AS read_p50,
      quantile_cont(objects_read, 0.9) AS objects_p90,
      quantile_cont(objects_read, 0.5) AS objects_p50,
      quantile_cont(prefixes, 0.9) AS prefixes_p90,
      quantile_cont(lists, 0.9) AS lists_p90,
      CAST(sum(failures) AS DOUBLE) / greatest(sum(events), 1) AS failure_rate,
      {_HOUR_FRAC}
      FROM w GROUP BY principal
    ),
    h AS (
      SELECT d.principal,
        coalesce(o.active_days, 0) >= {MIN_HISTORY_DAYS}
          OR (coalesce(o.active_days, 0) >= 1 AND c.min_gap >= {MIN_CADENCE_DAYS}
              AND c.max_gap <= c.min_gap + greatest(1, c.min_gap / 7)) AS has_history,
        CASE WHEN c.min_gap >= {MIN_CADENCE_DAYS} THEN c.min_gap END AS cadence_days
      FROM d LEFT JOIN o USING (principal) LEFT JOIN cadence c USING (principal)
    ),
    g AS (SELECT {glob_q} FROM o),
    p AS (
      SELECT pr.principal, count(*) AS peer_count,
      {peer_q}
      FROM {peers} pr JOIN o ON o.principal = pr.peer GROUP BY pr.principal
    ),
    known AS (
      SELECT DISTINCT principal, kind, value FROM {facts} WHERE day < CAST($day AS DATE)
    ),
    new_facts AS (
      SELECT f.principal,
        count(*) FILTER (WHERE f.kind = 'network') AS new_networks,
        count(*) FILTER (WHERE f.kind = 'country' AND NOT {unlocated_country("f")})
          AS new_countries,
        count(*) FILTER (WHERE f.kind = 'tool') AS new_tools,
        count(*) FILTER (WHERE f.kind = 'operation') AS new_operations,
        count(*) FILTER (WHERE f.kind = 'restricted-asset') AS new_restricted_assets,
        count(*) FILTER (WHERE f.kind = 'prefix') AS new_prefixes
      FROM {facts} f ANTI JOIN known k
        ON k.principal = f.principal AND k.kind = f.kind AND k.value = f.value
      WHERE f.day = CAST($day AS DATE)
      GROUP BY f.principal
    ),
    week AS (
      SELECT principal,
        CAST(sum(bytes_restricted + bytes_confidential) AS DOUBLE) AS week_bytes,
        count(*) AS week_days
      FROM {features}
      WHERE day > CAST($week AS DATE) AND day <= CAST($day AS DATE)
      GROUP BY principal
    ),
    before_week AS (
      SELECT principal, count(*) AS days,
        CAST(median(bytes_restricted + bytes_confidential) AS DOUBLE) AS daily_p50,
        quantile_cont(bytes_restricted + bytes_confidential, 0.9) AS daily_p90
      FROM {features}
      WHERE day >= CAST($lo AS DATE) AND day <= CAST($week AS DATE)
      GROUP BY principal
    ),
    over AS (
      SELECT f.principal, count(*) AS days_over
      FROM {features} f JOIN before_week b USING (principal)
      WHERE f.day > CAST($week AS DATE) AND f.day <= CAST($day AS DATE)
        AND f.bytes_restricted + f.bytes_confidential > greatest(b.daily_p90, {FLOOR_BYTES})
      GROUP BY f.principal
    ),
    scored AS (
      SELECT d.*, coalesce(o.active_days, 0) AS active_days, h.has_history, h.cadence_days,
        o.restricted_p50, o.restricted_p90, o.confidential_p50, o.confidential_p90,
        o.internal_p50, o.read_p50, o.objects_p50, o.objects_p90, o.prefixes_p90, o.lists_p90,
        o.failure_rate,
        coalesce(p.peer_count, 0) AS peer_count, p.peer_restricted_p50,
        p.peer_confidential_p50, p.peer_internal_p50,
        coalesce(n.new_networks, 0) AS new_networks,
        coalesce(n.new_countries, 0) AS new_countries,
        coalesce(n.new_tools, 0) AS new_tools,
        coalesce(n.new_operations, 0) AS new_operations,
        coalesce(n.new_restricted_assets, 0) AS new_restricted_assets,
        coalesce(n.new_prefixes, 0) AS new_prefixes,
        ({_ODD}) AS odd_events,
        list_filter([{_ODD_HOURS}], lambda x: x IS NOT NULL) AS odd_hours,
        coalesce(wk.week_bytes, 0) AS week_bytes, coalesce(wk.week_days, 0) AS week_days,
        b.daily_p50 AS before_daily_p50, coalesce(b.days, 0) AS before_days,
        coalesce(ov.days_over, 0) AS days_over,
        {volume},
        0.5 * {_clamp(_log2_ratio("d.objects_read", "greatest(coalesce(o.objects_p90, 0), 20)"), 6)}
          AS pts_objects,
        0.5 * {_clamp(_log2_ratio("d.prefixes", "greatest(coalesce(o.prefixes_p90, 0), 3)"), 5)}
          AS pts_prefixes,
        0.5 * {_clamp(_log2_ratio("d.lists", "greatest(coalesce(o.lists_p90, 0), 20)"), 5)}
          AS pts_lists,
        CASE WHEN {history} THEN
          1.5 * least(coalesce(n.new_networks, 0), 1)
          + 2.0 * least(coalesce(n.new_countries, 0), 1)
          + 1.5 * least(coalesce(n.new_tools, 0), 1)
          + 0.5 * least(coalesce(n.new_operations, 0), 4)
          + 1.0 * least(coalesce(n.new_restricted_assets, 0), 3)
          + 0.25 * least(coalesce(n.new_prefixes, 0), 8)
        ELSE 0 END AS pts_new,
        CASE WHEN d.events >= 5 THEN 3.0 * ({_ODD}) / d.events ELSE 0 END AS pts_hours,
        CASE WHEN d.failures >= 10
              AND d.failures / d.events > 3 * greatest(coalesce(o.failure_rate, 0), 0.02)
             THEN 1.5 ELSE 0 END AS pts_failures,
        CASE WHEN coalesce(b.days, 0) >= 7 THEN
          {
        _clamp(
            _log2_ratio(
                "coalesce(wk.week_bytes, 0)",
                f"greatest(coalesce(wk.week_days, 0), 1) * greatest(b.daily_p50, {FLOOR_BYTES})",
            ),
            4,
        )
    }
          + 0.8 * greatest(coalesce(ov.days_over, 0) - 2, 0)
        ELSE 0 END AS pts_sustained
      FROM d
      LEFT JOIN o USING (principal)
      JOIN h USING (principal)
      LEFT JOIN p USING (principal)
      LEFT JOIN new_facts n USING (principal)
      LEFT JOIN week wk USING (principal)
      LEFT JOIN before_week b USING (principal)
      LEFT JOIN over ov USING (principal)
      CROSS JOIN g
    )
    SELECT *,
      {" + ".join(f"vol_{t}" for t in _T)} + pts_objects + pts_prefixes + pts_lists + pts_new
        + pts_hours + pts_failures + pts_sustained AS points,
      round(100 * (1 - exp(-({" + ".join(f"vol_{t}" for t in _T)} + pts_objects + pts_prefixes
        + pts_lists + pts_new + pts_hours + pts_failures + pts_sustained) / {SCALE})), 1) AS risk
    FROM scored
    ORDER BY risk DESC, principal
    """


def score_day(
    con: Engine,
    features: str,
    facts: str,
    peers: str,
    day: date,
    window_days: int = 30,
) -> pa.Table:
    """Every principal active on ``day`` with its components, points and 0-100 risk."""
    params = {
        "day": day,
        "lo": day - timedelta(days=window_days),
        "horizon": day - timedelta(days=window_days * HORIZON_WINDOWS),
        "window": window_days,
        "week": day - timedelta(days=7),
    }
    return con.table(score_sql(features, facts, peers), params)
