"""Routine volume detections: what a principal, or its role's sessions, do every night.

A volume rule (tagged ``labwarden.baseline``: the bulk-read and download-volume correlations)
fires on a nightly training job every night, and a responder stops reading its alerts. A
detection of such a rule is *routine*, and raises no alert, when in the
:data:`HISTORY_DAYS` days before it the same rule fired on at least :data:`MIN_DAYS` of them

* for the same principal, or, when the principal has too little history of its own,
* for sessions of the same role (its peer group: a new job under the jobs' role), when it is the
  role's norm: at least :data:`ROLE_SHARE` of the role's principals active in those days fired
  it on :data:`MIN_DAYS` days or more (eight jobs sharing ``training-job`` all read every night;
  two of forty researchers sharing ``ml-researcher`` reading in bulk make no routine of a third
  one's first bulk read),

with a value (objects, bytes) at least 1/:data:`HEADROOM` of this one's and about assets at least
as sensitive. A first bulk read still alerts; so does a job that suddenly reads twice its usual,
or a researcher whose role never does this, or a routine reader touching more sensitive data than
it routinely does. The history is the detections of the same run, so ``detect`` over the whole
lake (its default) sees it.

The lake's first :data:`HISTORY_DAYS` days are its *learning period*: their detections have no
days before them in the lake, although the jobs behind them usually ran long before it (a lake
starts with a backfill). There the window is the learning period itself, the detection's own day
left out: a job reading every night is routine from its first night, while a bulk read that does
not recur in the learning period (a first bulk read, an attack on the lake's first days that
stops) still alerts. A lake that starts live raises its jobs' first nights until the days after
them are in the lake; after the learning period nothing changes: a new job's first nights alert
unless its role's sessions do the same routinely.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from labwarden.core.values import Sensitivity
from labwarden.watch.detect.run import Detection

BASELINE_TAG = "labwarden.baseline"
HISTORY_DAYS = 7
MIN_DAYS = 3
HEADROOM = 2.0
ROLE_SHARE = 0.5

_T = TypeVar("_T")
RoleMembers = dict[str, dict[date, set[str]]]
"""``role -> day -> principals`` that acted through the role that day (see
:func:`role_members_sql`)."""


ROLES_TABLE = "routine_roles"
"""The relation (one ``role`` column) :data:`ROLE_MEMBERS_SQL` reads the roles from."""
LAKE_START_SQL = "SELECT CAST(min(time) AS DATE) FROM events"
"""The lake's first day (where its learning period starts)."""
ROLE_MEMBERS_SQL = (
    "SELECT DISTINCT e.actor_role, CAST(e.time AS DATE) AS day, e.actor_user FROM events e "
    "JOIN routine_roles r ON e.actor_role = r.role WHERE e.actor_user IS NOT NULL"
)
"""Who acted through each role of :data:`ROLES_TABLE` on each day (``role, day, principal``)."""


def role_members(rows: list[tuple[Any, ...]]) -> RoleMembers:
    """:data:`ROLE_MEMBERS_SQL`'s rows as ``role -> day -> principals``."""
    members: RoleMembers = defaultdict(lambda: defaultdict(set))
    for role, day, principal in rows:
        members[str(role)][day].add(str(principal))
    return members


def baseline_roles(detections: list[Detection]) -> list[str]:
    """The roles of the volume detections: those whose members :func:`split_routine` needs."""
    return sorted(
        {r for d in detections if BASELINE_TAG in d.rule.tags and (r := _role(d)) is not None}
    )


@dataclass(frozen=True, slots=True)
class Routine:
    """A detection left out as routine, and why."""

    detection: Detection
    reason: str


@dataclass(slots=True)
class _Day:
    value: float = 0.0
    sensitivity: int = -1


def _sensitivity(evidence: list[dict[str, Any]]) -> int:
    ranks = [-1]
    for event in evidence:
        if event.get("asset_canary"):
            return 99
        try:
            ranks.append(
                list(Sensitivity).index(Sensitivity.parse(str(event["asset_sensitivity"])))
            )
        except (KeyError, ValueError):
            continue
    return max(ranks)


def _principal(detection: Detection) -> str | None:
    value = detection.group.get("actor_user")
    if value:
        return str(value)
    users = {str(e["actor_user"]) for e in detection.evidence if e.get("actor_user")}
    return users.pop() if len(users) == 1 else None


def _role(detection: Detection) -> str | None:
    roles = {str(e["actor_role"]) for e in detection.evidence if e.get("actor_role")}
    return roles.pop() if len(roles) == 1 else None


def _value(detection: Detection) -> float:
    return float(detection.value if detection.value is not None else detection.count)


@dataclass(slots=True)
class _History:
    days: dict[tuple[str, str, str], dict[date, _Day]]
    fired: dict[tuple[str, str], set[str]]
    """``(rule, role) -> principals`` of the role the rule fired for."""
    members: RoleMembers | None
    start: date | None
    """The lake's first day: its first :data:`HISTORY_DAYS` are the learning period."""

    def span(self, day: date) -> tuple[date, date]:
        """``[lo, hi)`` of the days that judge ``day``: the week before it, or in the learning
        period the learning period (``day`` itself is always left out)."""
        if self.start is not None and day < self.start + timedelta(days=HISTORY_DAYS):
            return self.start, self.start + timedelta(days=HISTORY_DAYS)
        return day - timedelta(days=HISTORY_DAYS), day

    def learning(self, day: date) -> bool:
        """Whether ``day`` is in the lake's learning period."""
        return self.span(day)[1] > day


def split_routine(
    detections: list[Detection],
    members: RoleMembers | None = None,
    lake_start: date | None = None,
) -> tuple[list[Detection], list[Routine]]:
    """``(kept, routine)``: the detections that still alert, and those left out with why.

    ``members`` (who acted through each role, each day) lets a role's history speak for a
    principal only where the routine is the role's norm; without it a role's history alone
    decides (callers without a lake). ``lake_start`` (the lake's first day) starts the learning
    period; without it there is none."""
    history = _History(defaultdict(dict), defaultdict(set), members, lake_start)
    for detection in detections:
        if BASELINE_TAG not in detection.rule.tags:
            continue
        day = detection.first_seen.date()
        value, level = _value(detection), _sensitivity(detection.evidence)
        for key in _keys(detection):
            seen = history.days[key].setdefault(day, _Day())
            seen.value = max(seen.value, value)
            seen.sensitivity = max(seen.sensitivity, level)
        principal, role = _principal(detection), _role(detection)
        if principal and role:
            history.fired[(detection.rule.id, role)].add(principal)
    kept: list[Detection] = []
    routine: list[Routine] = []
    for detection in detections:
        reason = _why_routine(detection, history) if BASELINE_TAG in detection.rule.tags else None
        if reason is None:
            kept.append(detection)
        else:
            routine.append(Routine(detection, reason))
    return kept, routine


def _keys(detection: Detection) -> list[tuple[str, str, str]]:
    keys = []
    principal, role = _principal(detection), _role(detection)
    if principal:
        keys.append((detection.rule.id, "principal", principal))
    if role:
        keys.append((detection.rule.id, "role", role))
    return keys


def _window(days: dict[date, _T], day: date, history: _History) -> list[_T]:
    """The values of the days that judge ``day`` (see :meth:`_History.span`)."""
    lo, hi = history.span(day)
    return [seen for when, seen in days.items() if lo <= when < hi and when != day]


def _role_norm(rule: str, role: str, day: date, history: _History) -> bool:
    """Whether at least :data:`ROLE_SHARE` of the role's principals active in the days that
    judge ``day`` fired ``rule`` on :data:`MIN_DAYS` of them."""
    if history.members is None:
        return True
    by_day = history.members.get(role, {})
    active = set().union(*_window(by_day, day, history))
    routine = {
        principal
        for principal in history.fired.get((rule, role), set())
        if len(_window(history.days.get((rule, "principal", principal), {}), day, history))
        >= MIN_DAYS
    }
    return bool(active) and len(routine & active) >= ROLE_SHARE * len(active)


def _why_routine(detection: Detection, history: _History) -> str | None:
    day = detection.first_seen.date()
    value, level = _value(detection), _sensitivity(detection.evidence)
    for key in _keys(detection):
        before = _window(history.days.get(key, {}), day, history)
        if len(before) < MIN_DAYS:
            continue  # too little history here: the role's, if any, decides
        if key[1] == "role" and not _role_norm(detection.rule.id, key[2], day, history):
            return None  # a few of the role's principals do this; the role as a whole does not
        usual = max(seen.value for seen in before)
        if value > HEADROOM * usual or level > max(seen.sensitivity for seen in before):
            return None  # more, or more sensitive, than its routine: it alerts
        who = f"its role {key[2]}'s sessions" if key[1] == "role" else "this principal"
        days = (
            f"{len(before)} other days of the lake's first {HISTORY_DAYS} (its learning period)"
            if history.learning(day)
            else f"{len(before)} of the {HISTORY_DAYS} days before"
        )
        return f"routine: fired for {who} on {days}, up to {usual:,.0f} (now {value:,.0f})"
    return None
