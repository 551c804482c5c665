"""One day of lake events -> per-principal daily features and first-seen facts (SQL).

A principal is who acted (``actor_user``: the user, or a role session's person or workload), or
failing that the user id, or failing that the access key; the role it acted through is kept as
a ``role`` fact, so that the sessions of one role are each other's peers. Features
are split by the sensitivity of the asset touched, so that reading a restricted trial dataset weighs
more than reading public data. Facts are the distinct networks, countries, user-agent families,
operations, prefixes and assets a principal used that day; comparing them with earlier days gives
first-seen facts.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

from labwarden.engines.interface import Engine
from labwarden.store.analytics import FeatureStore

log = logging.getLogger(__name__)

PRINCIPAL = "coalesce(actor_user, actor_uid, access_key)"
PREFIX = (
    "CASE WHEN resource_bucket IS NULL THEN NULL "
    "WHEN coalesce(regexp_extract(resource_key, '^([^/]+(?:/[^/]+)?)/', 1), '') = '' "
    "THEN resource_bucket "
    "ELSE resource_bucket || '/' || regexp_extract(resource_key, '^([^/]+(?:/[^/]+)?)/', 1) END"
)
"""Bucket plus up to two leading folders of the key: ``acme-datasets/assays/hts-screen``."""
TOOL = "lower(regexp_extract(coalesce(user_agent, ''), '^[A-Za-z][A-Za-z0-9_.-]*', 0))"
"""The tool family of a user agent (``python-requests/2.32`` -> ``python-requests``)."""
SENSITIVITIES = ("restricted", "confidential", "internal", "public")
UNLOCATED = ("private", "public")
"""``src_country`` values that say only whether an address is internal (no geolocation, no
labelled network): not a country, so never a first-seen country (as in the rule pack's
"Sensitive Data Read from a New Country"); the address's network still counts."""


def unlocated_country(facts: str) -> str:
    """SQL: the fact of alias ``facts`` is a country that is no location (see :data:`UNLOCATED`)."""
    values = ", ".join(f"'{v}'" for v in UNLOCATED)
    return f"({facts}.kind = 'country' AND {facts}.value IN ({values}))"


_HOURS = ", ".join(f"count(*) FILTER (WHERE hour = {h}) AS h{h}" for h in range(24))
_BYTES = ", ".join(
    "CAST(coalesce(sum(bytes) FILTER "
    f"(WHERE activity = 'read' AND asset_sensitivity = '{s}'), 0) AS BIGINT) AS bytes_{s}"
    for s in SENSITIVITIES
)


def features_sql(source: str) -> str:
    """Per-principal features of ``source`` on ``$day`` (a DATE parameter).

    ``source`` has the lake's columns plus ``prefix``, ``tool`` and ``hour`` (as
    :func:`compute_day` materializes them).
    """
    return f"""
    SELECT
      {PRINCIPAL} AS principal,
      CAST($day AS DATE) AS day,
      count(*) AS events,
      count(*) FILTER (WHERE activity = 'read') AS reads,
      count(*) FILTER (WHERE activity = 'list') AS lists,
      count(*) FILTER (WHERE activity IN ('write', 'create', 'update', 'delete')) AS writes,
      count(*) FILTER (WHERE status = 'failure') AS failures,
      CAST(coalesce(sum(bytes) FILTER (WHERE activity = 'read'), 0) AS BIGINT) AS bytes_read,
      {_BYTES},
      count(DISTINCT resource_key) FILTER (WHERE activity = 'read') AS objects_read,
      count(DISTINCT prefix) AS prefixes,
      count(DISTINCT asset_id) AS assets,
      count(DISTINCT src_network) AS networks,
      {_HOURS}
    FROM {source}
    WHERE time >= CAST($day AS TIMESTAMPTZ) AND time < CAST($next AS TIMESTAMPTZ)
      AND {PRINCIPAL} IS NOT NULL
    GROUP BY 1
    """


def facts_sql(source: str) -> str:
    """The distinct ``(principal, kind, value)`` facts of ``$day``, with the bytes behind each.

    ``source`` has the lake's columns plus ``prefix`` and ``tool``.
    """
    parts = [
        ("network", "src_network"),
        ("country", "src_country"),
        ("tool", "nullif(tool, '')"),
        ("operation", "api_operation"),
        ("role", "actor_role"),
        ("prefix", "prefix"),
        (
            "restricted-asset",
            "CASE WHEN asset_sensitivity = 'restricted' THEN CAST(asset_id AS VARCHAR) END",
        ),
    ]
    selects = [
        f"SELECT {PRINCIPAL} AS principal, '{kind}' AS kind, {expr} AS value, "
        f"coalesce(bytes, 0) AS bytes FROM {source} "
        "WHERE time >= CAST($day AS TIMESTAMPTZ) AND time < CAST($next AS TIMESTAMPTZ)"
        for kind, expr in parts
    ]
    union = " UNION ALL ".join(selects)
    return f"""
    SELECT principal, kind, value, CAST($day AS DATE) AS day, count(*) AS events,
           CAST(sum(bytes) AS BIGINT) AS bytes
    FROM ({union}) AS f
    WHERE principal IS NOT NULL AND value IS NOT NULL
    GROUP BY principal, kind, value
    """


_COLUMNS = (
    "time, actor_user, actor_uid, access_key, actor_role, activity, status, bytes, "
    "asset_sensitivity, asset_id, resource_bucket, resource_key, src_network, src_country, "
    "user_agent, api_operation"
)


def compute_day(con: Engine, store: FeatureStore, day: date, source: str = "events") -> int:
    """Aggregate ``day`` of ``source`` into the store; returns the number of principals.

    ``source`` is a table or view, or a ``read_parquet(...)`` of just that day's files (as
    :func:`day_source` gives), so that a day costs its own events only.
    """
    params = {"day": day, "next": day + timedelta(days=1)}
    present = set(con.columns(f"(SELECT * FROM {source} LIMIT 0)"))
    # Lake parts written before a column existed lack it: it is NULL for their events.
    columns = ", ".join(
        c if c in present else f"NULL::VARCHAR AS {c}" for c in _COLUMNS.split(", ")
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE lw_day AS SELECT {columns}, {PREFIX} AS prefix, "
        f"{TOOL} AS tool, CAST(hour(time) AS INTEGER) AS hour FROM {source} "
        "WHERE time >= CAST($day AS TIMESTAMPTZ) AND time < CAST($next AS TIMESTAMPTZ)",
        params,
    )
    features = con.table(features_sql("lw_day"), params)
    facts = con.table(facts_sql("lw_day"), params)
    con.execute("DROP TABLE lw_day")
    store.write("features", day, features)
    store.write("facts", day, facts)
    log.debug("features of %s: %d principals, %d facts", day, features.num_rows, facts.num_rows)
    return int(features.num_rows)


def day_source(lake_root: Path, day: date) -> str | None:
    """A ``read_parquet`` over the lake files of ``day`` (``None`` when it has none)."""
    files = sorted(str(p) for p in lake_root.glob(f"source=*/day={day.isoformat()}/*.parquet"))
    if not files:
        return None
    listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    return f"read_parquet([{listed}], union_by_name = true, hive_partitioning = false)"


def stale_days(lake_root: Path, store: FeatureStore) -> list[date]:
    """Lake days whose event files are newer than their features (or that have none yet).

    Only these need :func:`compute_day`: scoring a new day costs that day's events.
    """
    newest: dict[date, float] = {}
    for folder in lake_root.glob("source=*/day=*"):
        try:
            day = date.fromisoformat(folder.name.removeprefix("day="))
        except ValueError:
            continue
        for part in folder.glob("*.parquet"):
            newest[day] = max(newest.get(day, 0.0), part.stat().st_mtime)
    stale = []
    for day, mtime in sorted(newest.items()):
        done = store.path("features", day)
        if not done.exists() or done.stat().st_mtime < mtime:
            stale.append(day)
    return stale
