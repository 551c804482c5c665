"""The normalized event: OCSF-aligned flat columns shared by every parser and the lake.

``actor_user`` is who acted: for a cloud session the person or workload behind it (a role
session's source identity or name, a federated user), and ``actor_role`` the role it acted
through, its peer group (see :mod:`labwarden.watch.parsers.cloudtrail`). ``asset_reason`` says
where an event's asset and sensitivity come from: ``resources.toml``, the catalog, or the
sensitivity policy applied to the resource's name when nothing maps it.

Column names follow OCSF objects flattened with ``_`` (``actor.user.name`` becomes
``actor_user``, ``src_endpoint.ip`` becomes ``src_ip``), so that the same Parquet files are easy
to query from DuckDB, Spark or pandas. ``raw`` keeps the original record as a JSON object so that
a Sigma rule may use any field of the source format.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

import pyarrow as pa


class EventClass(IntEnum):
    """OCSF event classes used by labwarden's parsers."""

    FILE_ACTIVITY = 1001
    PROCESS_ACTIVITY = 1007
    AUTHENTICATION = 3002
    HTTP_ACTIVITY = 4002
    API_ACTIVITY = 6003


SCHEMA = pa.schema(
    [
        ("time", pa.timestamp("us", tz="UTC")),
        ("class_uid", pa.int32()),
        ("activity", pa.string()),
        ("actor_user", pa.string()),
        ("actor_uid", pa.string()),
        ("actor_type", pa.string()),
        ("actor_role", pa.string()),
        ("access_key", pa.string()),
        ("src_ip", pa.string()),
        ("user_agent", pa.string()),
        ("api_service", pa.string()),
        ("api_operation", pa.string()),
        ("api_request_id", pa.string()),
        ("cloud_account", pa.string()),
        ("cloud_region", pa.string()),
        ("resource_type", pa.string()),
        ("resource_uri", pa.string()),
        ("resource_bucket", pa.string()),
        ("resource_key", pa.string()),
        ("bytes", pa.int64()),
        ("status", pa.string()),
        ("status_code", pa.string()),
        ("host", pa.string()),
        ("process", pa.string()),
        ("command", pa.string()),
        ("event_uid", pa.string()),
        ("origin_file", pa.string()),
        ("origin_line", pa.int64()),
        ("raw", pa.string()),
    ]
)
"""Columns a parser fills; ``None`` where a format has no such field."""

ENRICH_SCHEMA = pa.schema(
    [
        ("src_network", pa.string()),
        ("src_country", pa.string()),
        ("asset_id", pa.int64()),
        ("asset_name", pa.string()),
        ("asset_kind", pa.string()),
        ("asset_sensitivity", pa.string()),
        ("asset_reason", pa.string()),
        ("asset_canary", pa.bool_()),
    ]
)
"""Columns added at ingest: the source network and country, and the catalog asset touched."""

LAKE_SCHEMA = pa.schema(list(SCHEMA) + list(ENRICH_SCHEMA))
"""Columns of every lake file (``source`` and ``day`` are partition keys in the path)."""

PARSER_COLUMNS: tuple[str, ...] = tuple(SCHEMA.names)
NOVELTY_COLUMNS: tuple[str, ...] = (
    "novel_asset",
    "novel_network",
    "novel_country",
    "novel_user_agent",
)
"""Derived at detection time: the principal's first event with this asset, network, country or
user agent, after a baseline of known history (see :mod:`labwarden.watch.detect.novelty`)."""
CONTEXT_COLUMNS: tuple[str, ...] = ("src_failures",)
"""Derived at detection time from the events around one: ``src_failures`` is the number of
failed logon attempts from the event's source address in the hour up to it (see
:mod:`labwarden.watch.detect.novelty`), so that "a success after a brute force" is a rule."""
LAKE_COLUMNS: tuple[str, ...] = (
    *LAKE_SCHEMA.names,
    "source",
    "day",
    *NOVELTY_COLUMNS,
    *CONTEXT_COLUMNS,
)
"""Every column a query over the lake (and a Sigma rule) may use."""

Event = dict[str, Any]
"""One normalized event: a subset of :data:`PARSER_COLUMNS` (missing keys mean null)."""


def parse_iso_time(text: str) -> datetime:
    """An ISO 8601 time (``Z`` or offset; naive means UTC) as an aware UTC datetime."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


_INTERNAL = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    )
)


def is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is in a private (RFC 1918, CGNAT, ULA), loopback or link-local range."""
    return any(address.version == n.version and address in n for n in _INTERNAL)


def parse_address(ip: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``ip`` (IPv6 possibly in brackets) as an address; ``None`` when it is not one."""
    if not ip:
        return None
    try:
        return ipaddress.ip_address(ip.strip("[]"))
    except ValueError:
        return None


def network_of(ip: str | None) -> str | None:
    """The network of an address: /24 for public IPv4, /16 for private IPv4 (internal pools
    such as VPN and DHCP ranges are wide), /48 for IPv6; ``None`` when it is not an address."""
    address = parse_address(ip)
    if address is None:
        return None
    prefix = (16 if is_internal(address) else 24) if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
