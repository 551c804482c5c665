"""Grant verdicts for the lake's object-store data events: did the policies allow what the
logs show a principal doing?

Each successful read, write or delete of an object is traced to the account's identity (a
role session is its role, an access key's user is that user) and judged by the access model
with the IAM action its operation needs: ``granted``, ``undecided`` (allowed only if
conditions the evaluator cannot decide held: reported, never assumed) or ``never granted``.
A principal, bucket and kind of access is a *first use* on the first day the lake shows it.
Principals the authorization details do not hold (another account, the root user, a
service) are ``not judged``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from labwarden.core.errors import InputError
from labwarden.engines.duckdb import connect
from labwarden.engines.interface import Engine, EngineError
from labwarden.identity.account import Principal
from labwarden.identity.evaluate import Decision
from labwarden.identity.reach import ModelAccess
from labwarden.identity.tri import Tri
from labwarden.identity.uses import action_of
from labwarden.identity.verdicts import GRANTED, NEVER, NOT_JUDGED, UNDECIDED, VERDICT_OF

_RANK = {NEVER: 0, UNDECIDED: 1, GRANTED: 2, NOT_JUDGED: 3}
ACCESS_OF = {
    "read": "read",
    "write": "write",
    "create": "write",
    "update": "write",
    "delete": "delete",
}
_TIERS = ("public", "internal", "confidential", "restricted")
_TIER = " ".join(f"WHEN '{t}' THEN {i + 1}" for i, t in enumerate(_TIERS))
_INFINITIVE = {"read": "read", "write": "write to", "delete": "delete in"}
PRINCIPAL = "coalesce(actor_user, actor_uid, access_key)"
"""The principal as the analytics and the alerts name it."""

_QUERY = f"""
SELECT {PRINCIPAL} AS principal, actor_uid AS uid, actor_role AS role,
  resource_bucket AS bucket, activity, api_operation AS operation,
  CAST(time AS DATE) AS day, count(*) AS events, min(time) AS first, max(time) AS last,
  min(resource_key) AS sample,
  list(DISTINCT access_key) FILTER (WHERE access_key IS NOT NULL) AS keys,
  list(DISTINCT src_ip) FILTER (WHERE src_ip IS NOT NULL) AS addresses,
  max(CASE asset_sensitivity {_TIER} END) AS tier
FROM events
WHERE resource_bucket IS NOT NULL AND coalesce(resource_key, '') <> ''
  AND activity IN ({", ".join(f"'{a}'" for a in ACCESS_OF)})
  AND api_operation IS NOT NULL AND coalesce(status, 'success') = 'success'
  AND {PRINCIPAL} IS NOT NULL
GROUP BY ALL
"""  # noqa: S608 - constants only


@dataclass(slots=True)
class Access:
    """One principal's reads (or writes, or deletes) of one bucket on one day, judged."""

    principal: str
    """As the lake names it (the analytics' and alerts' principal)."""
    identity: str | None
    """``user/NAME`` or ``role/NAME`` of the authorization details; ``None``: not judged."""
    bucket: str
    access: str
    """``read``, ``write`` or ``delete``."""
    day: date
    operations: list[str]
    events: int
    first: datetime
    last: datetime
    verdict: str
    why: str
    conditions: list[str] = field(default_factory=list)
    first_use: bool = False
    """The lake shows this principal making this kind of access to this bucket for the
    first time on this day."""
    since: date | None = None
    """The first day the lake shows the principal using any bucket."""
    keys: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    sensitivity: str | None = None
    uid: str | None = None
    """The principal's ARN as the events give it."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "principal": self.principal,
            "identity": self.identity,
            "bucket": self.bucket,
            "access": self.access,
            "day": self.day.isoformat(),
            "operations": self.operations,
            "events": self.events,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "verdict": self.verdict,
            "why": self.why,
            "conditions": self.conditions,
            "first_use": self.first_use,
            "since": self.since.isoformat() if self.since else None,
        }

    def sentence(self) -> str:
        """One line for an alert's explanation."""
        target = f"s3://{self.bucket}"
        verb = {"read": "read of", "write": "write to", "delete": "delete in"}[self.access]
        who = self.identity or self.principal
        if self.verdict == NOT_JUDGED:
            return f"{verb} {target}: not judged ({self.why})"
        first = f"first {verb} {target}" if self.first_use else f"{verb} {target}"
        if self.first_use and self.since is not None and self.since < self.day:
            first += f" (the lake shows its accesses since {self.since.isoformat()})"
        if self.verdict == GRANTED:
            tail = (
                f"a bucket it has always been allowed to {_INFINITIVE[self.access]}"
                if self.first_use
                else "its policies allow it"
            )
            return f"{first}, {tail}: {who} via {self.why}"
        if self.verdict == UNDECIDED:
            return (
                f"{first}: undecided, {who} is allowed only if "
                f"{'; '.join(self.conditions) or 'conditions we cannot evaluate'}"
            )
        return f"{first}, which the policies never granted {who}"


def _reason(decision: Decision) -> str:
    if decision.outcome is Tri.NO:
        return decision.reason().replace("\n", "; ").replace("- ", "")
    return "; ".join(sorted({m.statement.origin for m in decision.allows}))


class _Judge:
    """Decisions, each computed once per identity, action and resource."""

    def __init__(self, access: ModelAccess) -> None:
        self.access = access
        self._decisions: dict[tuple[str, str, str], Decision] = {}
        self._identities: dict[tuple[str | None, str | None, str | None], Any] = {}

    def identity(self, row: dict[str, Any]) -> tuple[Principal | None, str]:
        key = (row.get("uid"), row.get("role"), row.get("principal"))
        if key not in self._identities:
            self._identities[key] = self.access.resolve_actor(*key)
        found: tuple[Principal | None, str] = self._identities[key]
        return found

    def decide(self, principal: Principal, operation: str, bucket: str, sample: str) -> Decision:
        action = action_of(operation)
        resource = f"arn:aws:s3:::{bucket}/{sample}"
        key = (principal.arn, action, resource)
        if key not in self._decisions:
            self._decisions[key] = self.access.model.may(principal, action, resource)
        return self._decisions[key]


def _merge(judge: _Judge, rows: list[dict[str, Any]]) -> Access:
    """One principal's operations of one kind on one bucket and day: the worst verdict."""
    head = rows[0]
    principal, why_not = judge.identity(head)
    verdict, why = NOT_JUDGED, why_not
    conditions: set[str] = set()
    if principal is not None:
        verdict = ""
        for row in rows:
            decision = judge.decide(principal, row["operation"], row["bucket"], row["sample"])
            found = VERDICT_OF[decision.outcome]
            if not verdict or _RANK[found] < _RANK[verdict]:
                verdict, why = found, _reason(decision)
            for match in (*decision.allows, *decision.denies):
                conditions.update(match.undecided)
    tier = max((int(r["tier"]) for r in rows if r.get("tier")), default=0)
    return Access(
        principal=str(head["principal"]),
        identity=principal.label if principal is not None else None,
        bucket=str(head["bucket"]),
        access=ACCESS_OF[str(head["activity"])],
        day=head["day"],
        operations=sorted({str(r["operation"]) for r in rows}),
        events=sum(int(r["events"]) for r in rows),
        first=min(r["first"] for r in rows),
        last=max(r["last"] for r in rows),
        verdict=verdict,
        why=why,
        conditions=sorted(conditions) if verdict == UNDECIDED else [],
        keys=sorted({k for r in rows for k in r.get("keys") or []}),
        addresses=sorted({a for r in rows for a in r.get("addresses") or []}),
        sensitivity=_TIERS[tier - 1] if tier else None,
        uid=str(head["uid"]) if head.get("uid") else None,
    )


def judge_rows(access: ModelAccess, rows: Iterable[dict[str, Any]]) -> list[Access]:
    """Group the lake's rows (see ``_QUERY``) and judge each group; mark first uses."""
    groups: dict[tuple[str, str, str, str, date], list[dict[str, Any]]] = {}
    for row in rows:
        # The same name may be a user and a role's session: each is judged as itself.
        who = (str(row["principal"]), str(row.get("uid") or row.get("role") or ""))
        key = (*who, str(row["bucket"]), ACCESS_OF[str(row["activity"])])
        groups.setdefault((*key, row["day"]), []).append(row)
    judge = _Judge(access)
    found = [_merge(judge, group) for _, group in sorted(groups.items(), key=lambda g: g[0])]
    firsts: dict[tuple[str, str, str], date] = {}
    since: dict[str, date] = {}
    for item in found:
        firsts.setdefault((item.principal, item.bucket, item.access), item.day)
        since[item.principal] = min(since.get(item.principal, item.day), item.day)
    for item in found:
        item.first_use = firsts[(item.principal, item.bucket, item.access)] == item.day
        item.since = since[item.principal]
    return found


def lake_accesses(
    access: ModelAccess,
    lake: Path | str,
    *,
    engine: Engine | None = None,
    principals: Sequence[str] | None = None,
) -> list[Access]:
    """Every principal's data accesses of the lake's buckets per day, judged (only those of
    ``principals`` when given)."""
    own = engine is None
    con = engine or connect()
    try:
        if con.events_view(lake) == 0:
            return []
        rows: list[dict[str, Any]] = con.table(_QUERY).to_pylist()
    except EngineError as exc:
        raise InputError(f"{lake}: cannot read the event lake: {exc}") from exc
    finally:
        if own:
            con.close()
    if principals is not None:
        wanted = set(principals)
        rows = [r for r in rows if r["principal"] in wanted]
    return judge_rows(access, rows)


class JudgedAccess(ModelAccess):
    """The incident scope's access provider that also judges the principals' bucket uses
    (:class:`labwarden.respond.incident.scope.GrantsProvider`)."""

    def granted(
        self, lake: Path, principals: Sequence[str], since: str | None, until: str | None
    ) -> list[dict[str, Any]]:
        """The principals' accesses in the window (whole days), judged; first uses marked
        against the whole lake."""
        low, high = _utc(since), _utc(until)
        found = []
        for item in lake_accesses(self, lake, principals=principals):
            if (low is not None and item.last < low) or (high is not None and item.first > high):
                continue
            found.append(item.to_dict())
        return found


def _utc(text: str | None) -> datetime | None:
    if not text:
        return None
    found = datetime.fromisoformat(text)
    return found if found.tzinfo else found.replace(tzinfo=UTC)
