"""Peer groups: principals that touch the same things, or that a mapping file puts together.

Learned peers are the most similar principals by the Jaccard similarity of the prefixes they read
in the window; prefixes that most principals touch say nothing and are left out (as IDF would).
A mapping file (CSV ``principal,group`` or TOML ``[groups] group = [principals]``) puts the
principals of one team or role in one group; for them it replaces the learned peers. Without a
mapping entry, the sessions of one cloud role (the ``role`` facts of the window) are each
other's peers: forty researchers sharing ``ml-researcher`` are compared with each other.
"""

from __future__ import annotations

import csv
import tomllib
from collections import defaultdict
from datetime import date
from pathlib import Path

import pyarrow as pa

from labwarden.core.errors import InputError
from labwarden.engines.interface import Engine

MAX_PEERS = 10
MAX_GROUP_PEERS = 50
MIN_SIMILARITY = 0.2
MAX_PREFIX_SHARE = 0.2


def learned_peers_sql(facts: str) -> str:
    """Top peers per principal by prefix Jaccard over ``[$lo, $hi)`` days of ``facts``."""
    return f"""
    WITH s AS (
      SELECT DISTINCT principal, value AS prefix FROM {facts}
      WHERE kind = 'prefix' AND day >= CAST($lo AS DATE) AND day < CAST($hi AS DATE)
    ),
    total AS (SELECT count(DISTINCT principal) AS n FROM s),
    informative AS (
      SELECT prefix FROM s GROUP BY prefix
      HAVING count(*) <= greatest(2, {MAX_PREFIX_SHARE} * (SELECT n FROM total))
    ),
    t AS (SELECT s.* FROM s JOIN informative USING (prefix)),
    size AS (SELECT principal, count(*) AS n FROM t GROUP BY principal),
    pairs AS (
      SELECT a.principal AS principal, b.principal AS peer, count(*) AS shared
      FROM t a JOIN t b ON a.prefix = b.prefix AND a.principal <> b.principal
      GROUP BY 1, 2
    ),
    scored AS (
      SELECT p.principal, p.peer, p.shared / (sa.n + sb.n - p.shared) AS similarity
      FROM pairs p JOIN size sa ON sa.principal = p.principal
      JOIN size sb ON sb.principal = p.peer
    )
    SELECT principal, peer, similarity FROM (
      SELECT *, row_number() OVER (PARTITION BY principal ORDER BY similarity DESC, peer) AS r
      FROM scored WHERE similarity >= {MIN_SIMILARITY}
    ) WHERE r <= {MAX_PEERS}
    """


def load_mapping(path: Path) -> dict[str, str]:
    """``principal -> group`` from a CSV (``principal,group``) or TOML (``[groups]``) file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the peer mapping: {exc.strerror}") from exc
    if path.suffix.lower() == ".toml":
        return _toml_mapping(path, text)
    return _csv_mapping(path, text)


def _toml_mapping(path: Path, text: str) -> dict[str, str]:
    try:
        groups = tomllib.loads(text).get("groups", {})
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from exc
    if not isinstance(groups, dict):
        raise InputError(f"{path}: [groups] must map a group name to a list of principals")
    mapping: dict[str, str] = {}
    for group, members in groups.items():
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise InputError(f"{path}: groups.{group} must be a list of principal names")
        for member in members:
            mapping[member] = str(group)
    return mapping


def _csv_mapping(path: Path, text: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    rows = csv.reader(text.splitlines())
    for number, row in enumerate(rows, start=1):
        if not row or row[0].startswith("#") or (number == 1 and row[0].lower() == "principal"):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise InputError(f"{path}:{number}: expected `principal,group`, got {','.join(row)!r}")
        mapping[row[0].strip()] = row[1].strip()
    return mapping


def roles(con: Engine, facts: str, lo: date, hi: date) -> dict[str, str]:
    """``principal -> role`` from the ``role`` facts of ``[lo, hi]`` (the latest role wins)."""
    rows = con.rows(
        f"SELECT principal, arg_max(value, day) FROM {facts} WHERE kind = 'role' "
        "AND day >= CAST($lo AS DATE) AND day <= CAST($hi AS DATE) GROUP BY principal",
        {"lo": lo, "hi": hi},
    )
    return {str(p): str(r) for p, r in rows if r is not None and p != r}


def peers_table(
    con: Engine,
    facts: str,
    lo: date,
    hi: date,
    mapping: dict[str, str] | None = None,
) -> pa.Table:
    """``(principal, peer, similarity)`` rows: the mapping's groups, else the sessions of the
    same role, else learned peers."""
    learned = con.table(learned_peers_sql(facts), {"lo": lo, "hi": hi})
    mapping = {**roles(con, facts, lo, hi), **(mapping or {})}
    if not mapping:
        return learned
    groups: dict[str, list[str]] = defaultdict(list)
    for principal, group in mapping.items():
        groups[group].append(principal)
    # A group of one says nothing: its member keeps its learned peers.
    mapping = {p: g for p, g in mapping.items() if len(groups[g]) > 1}
    principals, peers, similarity = [], [], []
    for row in learned.to_pylist():
        if row["principal"] not in mapping:
            principals.append(row["principal"])
            peers.append(row["peer"])
            similarity.append(row["similarity"])
    for members in groups.values():
        members.sort()
        for index, principal in enumerate(members):
            # At most MAX_GROUP_PEERS each (the next ones, round the group): a median over
            # that many is as good as over thousands, and a large role stays linear.
            count = min(len(members) - 1, MAX_GROUP_PEERS)
            for step in range(1, count + 1):
                principals.append(principal)
                peers.append(members[(index + step) % len(members)])
                similarity.append(1.0)
    return pa.table(
        {"principal": principals, "peer": peers, "similarity": pa.array(similarity, pa.float64())}
    )
