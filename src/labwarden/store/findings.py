"""Findings: what checks found on assets, and what people decided about them (triage).

Two things are stored per finding, both keyed on its :attr:`Finding.fingerprint` (the same check,
rule, place and message give the same fingerprint in every scan):

* **detection** (table ``findings``): whether the last run of its check still found it
  (``present``) and when it was first and last seen. A rescan that no longer finds it marks it
  gone; one that finds it again marks it present again.
* **triage** (table ``finding_triage``, history in ``finding_triage_log``): a person's decision,
  ``accepted`` (with a reason, optionally until a date) or ``fixed``, or ``open`` again. It is
  kept across rescans, regrouping and assets removed and found again.

Together they give each finding one :class:`TriageStatus`:

* ``fixed``: a rescan no longer finds it, or someone marked it fixed (``present`` tells the two
  apart; a finding marked fixed that a later check run finds again is reopened automatically);
* ``accepted``: someone accepted the risk, with a reason, and the acceptance has not expired;
* ``open``: everything else.

Library use (the CLI and the web server both do this)::

    with Catalog.open(workspace) as catalog:
        page = catalog.findings.query(
            FindingQuery(min_severity=Severity.HIGH, statuses=(TriageStatus.OPEN,)),
            limit=50, offset=0,
        )
        for item in page.items:          # StoredFinding, most severe first
            print(item.fingerprint, item.status, item.finding.message)
        catalog.findings.accept([page.items[0].fingerprint], reason="test key", actor="alice")
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from labwarden.core.errors import InputError
from labwarden.core.finding import Finding, Location
from labwarden.core.values import AssetKind, Severity
from labwarden.store.db import Database, storable, utcnow
from labwarden.store.rows import marks, prefix_bounds


class TriageStatus(str, Enum):
    """Where a finding stands: ``open``, ``accepted`` (a risk someone took) or ``fixed``."""

    OPEN = "open"
    ACCEPTED = "accepted"
    FIXED = "fixed"


@dataclass(frozen=True, slots=True)
class FindingQuery:
    """Which stored findings to return; every field left at its default matches everything.

    ``checks`` holds check names (``secrets``) or ``check/rule`` ids (``secrets/aws-access-key``);
    ``statuses`` empty means every status; ``new_since`` is an ISO 8601 UTC time (as
    :func:`labwarden.store.db.utcnow` writes it): findings first seen at or after it;
    ``new_since_scan`` keeps findings first seen by a scan with a higher id.
    """

    min_severity: Severity | None = None
    checks: tuple[str, ...] = ()
    asset_ids: tuple[int, ...] = ()
    kinds: tuple[AssetKind, ...] = ()
    statuses: tuple[TriageStatus, ...] = (TriageStatus.OPEN,)
    new_since: str | None = None
    new_since_scan: int | None = None
    fingerprints: tuple[str, ...] = ()
    under: tuple[str, ...] = ()
    """Asset URIs: findings of assets at or below any of them (the roots of a scan)."""


@dataclass(frozen=True, slots=True)
class StoredFinding:
    """A stored finding with its asset, its detection history and its triage state."""

    id: int
    fingerprint: str
    finding: Finding
    status: TriageStatus
    present: bool
    """Whether the last run of its check still found it."""
    asset_uri: str | None
    asset_name: str | None
    asset_kind: AssetKind | None
    first_seen_at: str
    last_seen_at: str
    first_seen_scan: int | None
    last_seen_scan: int | None
    reason: str = ""
    """The reason given with the last triage decision (required to accept)."""
    actor: str | None = None
    """Who made the last triage decision (``None``: nobody triaged it yet)."""
    decided_at: str | None = None
    expires: str | None = None
    """When an acceptance ends (ISO 8601 UTC); the finding is open again after it."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: the finding's own fields plus asset, status and triage."""
        return {
            "id": self.id,
            **self.finding.to_dict(),
            "fingerprint": self.fingerprint,
            "status": self.status.value,
            "present": self.present,
            "asset": {
                "id": self.finding.asset_id,
                "uri": self.asset_uri,
                "name": self.asset_name,
                "kind": self.asset_kind.value if self.asset_kind else None,
            },
            "first_seen_at": self.first_seen_at,
            "last_seen_at": self.last_seen_at,
            "first_seen_scan": self.first_seen_scan,
            "last_seen_scan": self.last_seen_scan,
            "triage": {
                "reason": self.reason,
                "by": self.actor,
                "at": self.decided_at,
                "expires": self.expires,
            },
        }


@dataclass(frozen=True, slots=True)
class FindingPage:
    """One page of a query: ``items`` from ``offset``, and how many matched in all."""

    items: list[StoredFinding]
    total: int
    offset: int
    limit: int | None


@dataclass(frozen=True, slots=True)
class TriageEvent:
    """One triage decision in a finding's history."""

    fingerprint: str
    state: TriageStatus
    previous: TriageStatus
    reason: str
    actor: str
    at: str
    expires: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "fingerprint": self.fingerprint,
            "state": self.state.value,
            "previous": self.previous.value,
            "reason": self.reason,
            "by": self.actor,
            "at": self.at,
            "expires": self.expires,
        }


_SEVERITY_ORDER = (
    "CASE f.severity " + " ".join(f"WHEN '{s.value}' THEN {s.rank}" for s in Severity) + " END"
)
# The one status of a finding, from its detection and its triage (see the module docstring).
_STATUS = (
    "CASE WHEN f.status = 'resolved' THEN 'fixed' "
    "WHEN t.state = 'accepted' AND (t.expires IS NULL OR t.expires > :now) THEN 'accepted' "
    "WHEN t.state = 'fixed' THEN 'fixed' ELSE 'open' END"
)
_SELECT = (
    "SELECT f.id, f.fingerprint, f.check_name, f.rule, f.severity, f.path, f.member, "
    'f."offset", f.line, f.message, f.remediation, f.evidence, f.asset_id, f.status AS detected, '
    "f.first_seen_at, f.last_seen_at, f.first_seen_scan, f.last_seen_scan, "
    "a.uri, a.name, a.kind, t.reason, t.actor, t.at AS decided_at, t.expires, "
    f"{_STATUS} AS triage_status "
    "FROM findings f LEFT JOIN assets a ON a.id = f.asset_id "
    "LEFT JOIN finding_triage t ON t.fingerprint = f.fingerprint"
)


def _stored(row: sqlite3.Row) -> StoredFinding:
    finding = Finding(
        check=row["check_name"],
        rule=row["rule"],
        severity=Severity(row["severity"]),
        location=Location(row["path"], row["member"], row["offset"], row["line"]),
        message=row["message"],
        remediation=row["remediation"],
        evidence=json.loads(row["evidence"]),
        asset_id=row["asset_id"],
    )
    return StoredFinding(
        id=row["id"],
        fingerprint=row["fingerprint"],
        finding=finding,
        status=TriageStatus(row["triage_status"]),
        present=row["detected"] == "open",
        asset_uri=row["uri"],
        asset_name=row["name"],
        asset_kind=AssetKind(row["kind"]) if row["kind"] else None,
        first_seen_at=row["first_seen_at"] or "",
        last_seen_at=row["last_seen_at"] or "",
        first_seen_scan=row["first_seen_scan"],
        last_seen_scan=row["last_seen_scan"],
        reason=row["reason"] or "",
        actor=row["actor"],
        decided_at=row["decided_at"],
        expires=row["expires"],
    )


@dataclass(slots=True)
class _Where:
    clauses: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def add(self, clause: str, **params: Any) -> None:
        self.clauses.append(clause)
        self.params.update(params)

    def any_of(self, column: str, name: str, values: Sequence[Any]) -> None:
        keys = {f"{name}{i}": v for i, v in enumerate(values)}
        self.add(f"{column} IN ({', '.join(':' + k for k in keys)})", **keys)

    @property
    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "1 = 1"


def _checks(where: _Where, checks: Sequence[str]) -> None:
    """Check names (``secrets``) and ``check/rule`` ids, any of them."""
    names = [c for c in checks if "/" not in c]
    ids = [c for c in checks if "/" in c]
    parts = []
    if names:
        parts.append(f"f.check_name IN ({', '.join(f':chk{i}' for i in range(len(names)))})")
    if ids:
        parts.append(
            f"(f.check_name || '/' || f.rule) IN ({', '.join(f':rid{i}' for i in range(len(ids)))})"
        )
    where.add(
        f"({' OR '.join(parts)})",
        **{f"chk{i}": v for i, v in enumerate(names)},
        **{f"rid{i}": v for i, v in enumerate(ids)},
    )


def _where(query: FindingQuery, now: str) -> _Where:
    where = _Where(params={"now": now})
    if query.min_severity is not None:
        at_least = [s.value for s in Severity if s >= query.min_severity]
        where.any_of("f.severity", "sev", at_least)
    if query.checks:
        _checks(where, query.checks)
    if query.asset_ids:
        where.any_of("f.asset_id", "aid", query.asset_ids)
    if query.kinds:
        where.any_of("a.kind", "kind", [k.value for k in query.kinds])
    if query.statuses:
        where.any_of(_STATUS, "st", [s.value for s in query.statuses])
    if query.new_since is not None:
        where.add("f.first_seen_at >= :new_since", new_since=query.new_since)
    if query.new_since_scan is not None:
        where.add("f.first_seen_scan > :new_scan", new_scan=query.new_since_scan)
    if query.fingerprints:
        where.any_of("f.fingerprint", "fp", query.fingerprints)
    if query.under:
        _under(where, query.under)
    return where


def _under(where: _Where, roots: Sequence[str]) -> None:
    parts, params = [], {}
    for i, root in enumerate(roots):
        low, high = prefix_bounds(root)
        parts.append(f"(a.uri = :root{i} OR (a.uri >= :low{i} AND a.uri < :high{i}))")
        params.update({f"root{i}": root, f"low{i}": low, f"high{i}": high})
    where.add(f"({' OR '.join(parts)})", **params)


class FindingStore:
    """The ``findings``, ``finding_triage`` and ``finding_triage_log`` tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- detection (written by scans and verification) ---------------------------------------

    def record(
        self,
        asset_id: int,
        checks_run: Sequence[str],
        findings: Sequence[Finding],
        scan_id: int | None,
    ) -> None:
        """Store what ``checks_run`` found on an asset; earlier findings now absent are resolved.

        ``scan_id`` is ``None`` for findings made outside a scan (``labwarden verify --all``).
        A finding someone marked fixed that is found again is reopened (and the reopening
        logged); an accepted one stays accepted.
        """
        now = utcnow()
        with self._db.transaction():
            if checks_run:
                self._db.execute(
                    f"UPDATE findings SET status = 'resolved' WHERE asset_id = ? "
                    f"AND check_name IN ({marks(len(checks_run))}) AND status = 'open'",
                    (asset_id, *checks_run),
                )
            self._db.executemany(
                "INSERT INTO findings (fingerprint, asset_id, check_name, rule, severity, path, "
                'member, "offset", line, message, remediation, evidence, status, '
                "first_seen_scan, last_seen_scan, first_seen_at, last_seen_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?) "
                "ON CONFLICT(fingerprint) DO UPDATE SET status = 'open', "
                "severity = excluded.severity, asset_id = excluded.asset_id, "
                "evidence = excluded.evidence, remediation = excluded.remediation, "
                "last_seen_scan = excluded.last_seen_scan, last_seen_at = excluded.last_seen_at",
                [
                    (
                        f.fingerprint,
                        asset_id,
                        f.check,
                        f.rule,
                        f.severity.value,
                        storable(f.location.path),
                        storable(f.location.member),
                        f.location.offset,
                        f.location.line,
                        storable(f.message),
                        storable(f.remediation),
                        json.dumps(f.evidence, sort_keys=True, default=str),
                        scan_id,
                        scan_id,
                        now,
                        now,
                    )
                    for f in findings
                ],
            )
            self._reopen_found_again([f.fingerprint for f in findings], scan_id, now)

    def _reopen_found_again(
        self, fingerprints: Sequence[str], scan_id: int | None, now: str
    ) -> None:
        if not fingerprints:
            return
        rows = self._db.rows(
            "SELECT fingerprint FROM finding_triage WHERE state = 'fixed' "
            f"AND fingerprint IN ({marks(len(fingerprints))})",
            list(fingerprints),
        )
        by = f"scan {scan_id}" if scan_id is not None else "labwarden"
        for row in rows:
            self._decide(
                row[0],
                TriageStatus.OPEN,
                TriageStatus.FIXED,
                reason="found again after it was marked fixed",
                actor=by,
                expires=None,
                now=now,
            )

    def find(
        self,
        *,
        asset_id: int | None = None,
        min_severity: Severity | None = None,
        include_resolved: bool = False,
    ) -> list[Finding]:
        """Findings still present (or all with ``include_resolved``), most severe first,
        whatever their triage (:meth:`query` filters on it)."""
        where, params = ["1 = 1"], []
        if asset_id is not None:
            where.append("asset_id = ?")
            params.append(asset_id)
        if not include_resolved:
            where.append("status = 'open'")
        rows = self._db.rows(
            'SELECT check_name, rule, severity, path, member, "offset", line, message, '
            f"remediation, evidence, asset_id FROM findings WHERE {' AND '.join(where)} "
            "ORDER BY id",
            params,
        )
        found = [
            Finding(
                check=r[0],
                rule=r[1],
                severity=Severity(r[2]),
                location=Location(r[3], r[4], r[5], r[6]),
                message=r[7],
                remediation=r[8],
                evidence=json.loads(r[9]),
                asset_id=r[10],
            )
            for r in rows
        ]
        if min_severity is not None:
            found = [f for f in found if f.severity >= min_severity]
        found.sort(key=lambda f: -f.severity.rank)
        return found

    # -- querying ----------------------------------------------------------------------------

    def query(
        self, query: FindingQuery | None = None, *, limit: int | None = None, offset: int = 0
    ) -> FindingPage:
        """The findings ``query`` matches, most severe first (then by asset, place and id),
        ``limit`` of them from ``offset`` (``limit=None``: all), with the total count."""
        if (limit is not None and limit < 0) or offset < 0:
            raise InputError("limit and offset must not be negative")
        where = _where(query or FindingQuery(), utcnow())
        total_row = self._db.one(
            "SELECT count(*) FROM findings f LEFT JOIN assets a ON a.id = f.asset_id "
            f"LEFT JOIN finding_triage t ON t.fingerprint = f.fingerprint WHERE {where.sql}",
            where.params,
        )
        total = int(total_row[0]) if total_row is not None else 0
        page = " LIMIT :limit OFFSET :offset"
        params = {**where.params, "limit": -1 if limit is None else limit, "offset": offset}
        rows = self._db.rows(
            f"{_SELECT} WHERE {where.sql} ORDER BY {_SEVERITY_ORDER} DESC, "
            "a.uri, f.path, f.line, f.id" + page,
            params,
        )
        return FindingPage([_stored(r) for r in rows], total, offset, limit)

    def all(self, query: FindingQuery | None = None) -> list[StoredFinding]:
        """Every finding ``query`` matches, most severe first."""
        return self.query(query).items

    def counts(self, query: FindingQuery | None = None) -> dict[tuple[TriageStatus, Severity], int]:
        """How many findings ``query`` matches, by ``(status, severity)`` (for summaries)."""
        where = _where(query or FindingQuery(statuses=()), utcnow())
        rows = self._db.rows(
            f"SELECT {_STATUS} AS st, f.severity, count(*) FROM findings f "
            "LEFT JOIN assets a ON a.id = f.asset_id "
            f"LEFT JOIN finding_triage t ON t.fingerprint = f.fingerprint WHERE {where.sql} "
            "GROUP BY st, f.severity",
            where.params,
        )
        return {(TriageStatus(r[0]), Severity(r[1])): int(r[2]) for r in rows}

    def get(self, ref: str) -> StoredFinding:
        """One finding by id, fingerprint or a unique fingerprint prefix (at least 6 characters);
        :class:`InputError` when none or several match."""
        fingerprint = self.resolve(ref)
        items = self.query(FindingQuery(statuses=(), fingerprints=(fingerprint,))).items
        return items[0]

    def resolve(self, ref: str) -> str:
        """The fingerprint ``ref`` names: a finding id, a fingerprint or a unique prefix of one."""
        text = ref.strip().lower()
        rows: list[sqlite3.Row] = []
        if text.isdigit():
            rows = self._db.rows("SELECT fingerprint FROM findings WHERE id = ?", (int(text),))
        if not rows and len(text) >= 6 and all(c in "0123456789abcdef" for c in text):
            rows = self._db.rows(
                "SELECT fingerprint FROM findings WHERE fingerprint >= ? AND fingerprint < ? "
                "LIMIT 3",
                (text, text + "g"),
            )
            if len(rows) > 1:
                raise InputError(
                    f"finding {ref!r} is ambiguous: it starts {len(rows)} or more fingerprints; "
                    "give more characters"
                )
        if not rows:
            raise InputError(
                f"no finding {ref!r} in {self._db.path} (give an id or a fingerprint of at least "
                "6 characters); `labwarden findings --status all` lists them"
            )
        return str(rows[0][0])

    def history(self, fingerprint: str) -> list[TriageEvent]:
        """The triage decisions about one finding, oldest first."""
        rows = self._db.rows(
            "SELECT fingerprint, state, previous, reason, actor, at, expires "
            "FROM finding_triage_log WHERE fingerprint = ? ORDER BY id",
            (fingerprint,),
        )
        return [
            TriageEvent(r[0], TriageStatus(r[1]), TriageStatus(r[2]), r[3], r[4], r[5], r[6])
            for r in rows
        ]

    # -- triage --------------------------------------------------------------------------------

    def accept(
        self,
        fingerprints: Sequence[str],
        *,
        reason: str,
        actor: str,
        expires: str | None = None,
    ) -> list[StoredFinding]:
        """Accept the risk of these findings, with a reason (required) and optionally until
        ``expires`` (ISO 8601 UTC); return them as they are now."""
        if not reason.strip():
            raise InputError("accepting a finding needs a reason (--reason)")
        return self.triage(
            fingerprints, TriageStatus.ACCEPTED, reason=reason, actor=actor, expires=expires
        )

    def mark_fixed(
        self, fingerprints: Sequence[str], *, actor: str, reason: str = ""
    ) -> list[StoredFinding]:
        """Mark these findings fixed (a later check run that finds them again reopens them)."""
        return self.triage(fingerprints, TriageStatus.FIXED, reason=reason, actor=actor)

    def reopen(
        self, fingerprints: Sequence[str], *, actor: str, reason: str = ""
    ) -> list[StoredFinding]:
        """Withdraw an acceptance or a fix: the findings are open again (unless a rescan no
        longer finds them, which keeps them fixed)."""
        return self.triage(fingerprints, TriageStatus.OPEN, reason=reason, actor=actor)

    def triage(
        self,
        fingerprints: Sequence[str],
        state: TriageStatus,
        *,
        reason: str,
        actor: str,
        expires: str | None = None,
    ) -> list[StoredFinding]:
        """Record one decision about several findings in one transaction, logged with who and
        when; :class:`InputError` (and nothing stored) if one fingerprint is unknown."""
        if not actor.strip():
            raise InputError("a triage decision needs who made it")
        wanted = list(dict.fromkeys(fingerprints))
        if not wanted:
            return []
        now = utcnow()
        with self._db.transaction():
            known = self.query(FindingQuery(statuses=(), fingerprints=tuple(wanted))).items
            if len(known) != len(wanted):
                missing = sorted(set(wanted) - {k.fingerprint for k in known})
                raise InputError(f"no finding with fingerprint {missing[0]} in {self._db.path}")
            for item in known:
                self._decide(
                    item.fingerprint,
                    state,
                    item.status,
                    reason=reason,
                    actor=actor,
                    expires=expires if state is TriageStatus.ACCEPTED else None,
                    now=now,
                )
        return self.query(FindingQuery(statuses=(), fingerprints=tuple(wanted))).items

    def _decide(
        self,
        fingerprint: str,
        state: TriageStatus,
        previous: TriageStatus,
        *,
        reason: str,
        actor: str,
        expires: str | None,
        now: str,
    ) -> None:
        values = (fingerprint, state.value, storable(reason) or "", storable(actor), now, expires)
        self._db.execute(
            "INSERT INTO finding_triage (fingerprint, state, reason, actor, at, expires) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(fingerprint) DO UPDATE SET "
            "state = excluded.state, reason = excluded.reason, actor = excluded.actor, "
            "at = excluded.at, expires = excluded.expires",
            values,
        )
        self._db.execute(
            "INSERT INTO finding_triage_log (fingerprint, state, previous, reason, actor, at, "
            "expires) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (fingerprint, state.value, previous.value, *values[2:]),
        )


__all__ = [
    "FindingPage",
    "FindingQuery",
    "FindingStore",
    "StoredFinding",
    "TriageEvent",
    "TriageStatus",
]
