"""Enrichment of parsed events: activity, source network and country, and the asset touched.

The events to enrich are a relation ``batch`` (columns of :data:`events.SCHEMA`) of an engine
session. The few distinct values that need Python (folders and names resolved against the
catalog, non-IPv4 sources, operations without an activity) are looked up once each; everything
per row stays in SQL. :meth:`Enricher.select` yields the SELECT that produces the lake columns,
so that a caller can add its own filter and order and keep the rows inside the engine.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from labwarden.core.events import LAKE_SCHEMA, SCHEMA, network_of
from labwarden.engines.interface import Engine
from labwarden.watch.parsers.activity import activity_of
from labwarden.watch.resources import ResolvedAsset, Resolver

_ASSET_FIELDS = [f for f in LAKE_SCHEMA if f.name.startswith("asset_")]
_ASSET_STRUCT = pa.struct(_ASSET_FIELDS)


class Enricher:
    """Adds what the lake knows beyond the log line, using one resolver."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver

    @contextlib.contextmanager
    def select(
        self,
        con: Engine,
        passthrough: tuple[str, ...] = (),
        *,
        with_raw: bool = True,
    ) -> Iterator[str]:
        """The SELECT of the lake columns from ``batch`` (aliased ``b``), valid inside the block.

        ``passthrough`` columns of ``batch`` follow the lake columns. Without ``with_raw`` the
        ``raw`` column is left out (the caller keeps it; ``event_uid`` must then be complete).
        The statement has no WHERE clause, so a caller may append ``WHERE`` and ``ORDER BY``.
        Lookups that found nothing are not joined at all.
        """
        resolver = self.resolver
        registered: list[str] = []
        stack = contextlib.ExitStack()

        def register(name: str, table: pa.Table) -> bool:
            if table.num_rows == 0:
                return False
            stack.enter_context(con.registered(name, table))
            registered.append(name)
            return True

        with stack:
            joins = []
            if register("networks_found", self.networks(con)):
                joins.append("LEFT JOIN networks_found n ON b.src_ip = n.src_ip")
            operations = [
                r[0]
                for r in con.rows("SELECT DISTINCT api_operation FROM batch WHERE activity IS NULL")
            ]
            activities = pa.table(
                {
                    "api_operation": pa.array(operations, pa.string()),
                    "activity": pa.array([activity_of(o) for o in operations], pa.string()),
                }
            )
            if register("activities_found", activities):
                joins.append("LEFT JOIN activities_found ac ON b.api_operation = ac.api_operation")
            assets = []
            exact = _asset_table("resource_uri", list(resolver.exact_uris().items()))
            if register("exact_found", exact):
                joins.append("LEFT JOIN exact_found e ON b.resource_uri = e.resource_uri")
                assets.append("e.asset")
            if resolver.rules or resolver.by_uri:
                folders = [
                    r[0]
                    for r in con.rows(
                        f"SELECT DISTINCT {_FOLDER} FROM batch b WHERE b.resource_uri IS NOT NULL"  # noqa: S608
                    )
                ]
                found = _asset_table("folder", [(f, resolver.folder(f)) for f in folders])
                if register("folders_found", found):
                    joins.append(f"LEFT JOIN folders_found f ON {_FOLDER} = f.folder")
                    assets.append("f.asset")
            if resolver.inferrer is not None:
                shapes = [
                    r[0]
                    for r in con.rows(
                        f"SELECT DISTINCT {_SHAPE} FROM batch b WHERE b.resource_uri IS NOT NULL"  # noqa: S608
                    )
                ]
                found = _asset_table("shape", [(u, resolver.infer(u)) for u in shapes])
                if register("inferred_found", found):
                    joins.append(f"LEFT JOIN inferred_found i ON {_SHAPE} = i.shape")
                    assets.append("i.asset")
            yield _select(
                passthrough,
                joins,
                assets,
                networks="networks_found" in registered,
                activities="activities_found" in registered,
                with_raw=with_raw,
            )

    def table(self, con: Engine, events: pa.Table) -> pa.Table:
        """``events`` (of :data:`events.SCHEMA`) with the lake columns added."""
        with con.registered("batch", events), self.select(con) as select:
            return con.table(select).cast(LAKE_SCHEMA)

    def networks(self, con: Engine) -> pa.Table:
        """Network and country of each distinct source address of ``batch``.

        IPv4 addresses are handled in SQL (there may be hundreds of thousands per batch);
        the rest (IPv6, service names such as ``s3.amazonaws.com``) in Python.
        """
        labels = [
            {
                "lo": int(n.network.network_address),
                "hi": int(n.network.broadcast_address),
                "plen": n.network.prefixlen,
                "country": n.country,
            }
            for n in self.resolver.networks
            if n.network.version == 4
        ]
        seen = con.table(
            f"SELECT src_ip, regexp_full_match(src_ip, '{_IPV4_RE}') AS v4 "  # noqa: S608
            "FROM (SELECT DISTINCT src_ip FROM batch WHERE src_ip IS NOT NULL)"
        )
        with (
            con.registered("ips_seen", seen),
            con.registered("labels", pa.Table.from_pylist(labels, schema=_LABELS)),
        ):
            v4 = con.table(_IPV4_SQL)
        others = seen.filter(pc.invert(seen.column("v4"))).column("src_ip").to_pylist()
        rest = pa.Table.from_pylist(
            [
                {
                    "src_ip": ip,
                    "src_network": network_of(ip),
                    "src_country": self.resolver.network(ip),
                }
                for ip in others
            ],
            schema=v4.schema,
        )
        return pa.concat_tables([v4, rest])


def _asset_table(key: str, items: list[tuple[str, ResolvedAsset | None]]) -> pa.Table:
    """``key`` and an ``asset`` struct per resolved item (unresolved ones are left out)."""
    rows = [
        {
            key: name,
            "asset": {
                "asset_id": found.asset_id,
                "asset_name": found.name,
                "asset_kind": found.kind,
                "asset_sensitivity": found.sensitivity,
                "asset_reason": found.reason,
                "asset_canary": found.canary,
            },
        }
        for name, found in items
        if found is not None
    ]
    return pa.Table.from_pylist(
        rows, schema=pa.schema([(key, pa.string()), ("asset", _ASSET_STRUCT)])
    )


# The folder (up to the last ``/``) and the last component of a resource, without a regex.
_LEAF = "parse_filename(b.resource_uri, false, 'forward_slash')"
_FOLDER = f"left(b.resource_uri, length(b.resource_uri) - length({_LEAF}))"
# What inference classifies: the resource with the digits of its last component folded
# (``part-00017.parquet`` and ``part-00018.parquet`` are classified once); ARNs as they are.
_SHAPE = (
    "CASE WHEN b.resource_uri LIKE 'arn:%' THEN b.resource_uri "
    f"ELSE {_FOLDER} || regexp_replace({_LEAF}, '[0-9]+', '0', 'g') END"
)


def _select(
    passthrough: tuple[str, ...],
    joins: list[str],
    assets: list[str],
    *,
    networks: bool,
    activities: bool,
    with_raw: bool,
) -> str:
    special = {
        "event_uid": "coalesce(b.event_uid, md5(b.raw)) AS event_uid"
        if with_raw
        else "b.event_uid",
        "activity": "coalesce(b.activity, ac.activity, 'other') AS activity"
        if activities
        else "coalesce(b.activity, 'other') AS activity",
    }
    names = [n for n in SCHEMA.names if with_raw or n != "raw"]
    columns = [special.get(name, f"b.{name}") for name in names]
    if networks:
        columns += ["n.src_network", "n.src_country"]
    else:
        columns += ["NULL::VARCHAR AS src_network", "NULL::VARCHAR AS src_country"]
    if assets:
        asset = f"coalesce({', '.join(assets)})" if len(assets) > 1 else assets[0]
        columns += [f"{asset}.{field.name} AS {field.name}" for field in _ASSET_FIELDS[:-1]] + [
            f"coalesce({asset}.asset_canary, false) AS asset_canary"
        ]
    else:
        columns += [
            f"NULL::{_SQL_TYPES[str(field.type)]} AS {field.name}" for field in _ASSET_FIELDS[:-1]
        ] + ["false AS asset_canary"]
    columns += [f"b.{name}" for name in passthrough]
    return f"SELECT {', '.join(columns)} FROM batch b {' '.join(joins)}"  # noqa: S608


_SQL_TYPES = {"int64": "BIGINT", "string": "VARCHAR"}
_LABELS = pa.schema(
    [("lo", pa.int64()), ("hi", pa.int64()), ("plen", pa.int32()), ("country", pa.string())]
)
_IPV4_RE = r"(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}"
_INTERNAL_V4 = (
    ("10.0.0.0", 8),
    ("172.16.0.0", 12),
    ("192.168.0.0", 16),
    ("100.64.0.0", 10),
    ("127.0.0.0", 8),
    ("169.254.0.0", 16),
)


def _v4_int(text: str) -> int:
    a, b, c, d = (int(x) for x in text.split("."))
    return (a << 24) | (b << 16) | (c << 8) | d


_INTERNAL_SQL = " OR ".join(
    f"(n BETWEEN {_v4_int(base)} AND {_v4_int(base) + (1 << (32 - plen)) - 1})"
    for base, plen in _INTERNAL_V4
)
# Same results as events.network_of and Resolver.network, for IPv4 in bulk.
_IPV4_SQL = f"""
WITH ips AS (
  SELECT src_ip,
    CAST(split_part(src_ip, '.', 1) AS BIGINT) AS a,
    CAST(split_part(src_ip, '.', 2) AS BIGINT) AS b,
    CAST(split_part(src_ip, '.', 3) AS BIGINT) AS c,
    CAST(split_part(src_ip, '.', 4) AS BIGINT) AS d
  FROM ips_seen WHERE v4
), nums AS (
  SELECT *, (a << 24) + (b << 16) + (c << 8) + d AS n FROM ips
), marked AS (
  SELECT *, ({_INTERNAL_SQL}) AS internal FROM nums
)
SELECT m.src_ip,
  CASE WHEN m.internal THEN a || '.' || b || '.0.0/16'
       ELSE a || '.' || b || '.' || c || '.0/24' END AS src_network,
  coalesce(arg_max(l.country, l.plen),
           CASE WHEN m.internal THEN 'private' ELSE 'public' END) AS src_country
FROM marked m LEFT JOIN labels l ON m.n BETWEEN l.lo AND l.hi
GROUP BY m.src_ip, a, b, c, m.internal
"""  # noqa: S608
