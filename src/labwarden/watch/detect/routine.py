"""Routine volume detections: what a principal, or its role's sessions, do every night.

A volume rule (tagged ``labwarden.baseline``: the bulk-read and download-volume correlations)
fires on a nightly training job every night, and a responder stops reading its alerts. A
detection of such a rule is *routine*, and raises no alert, when in the
:data:`HISTORY_DAYS` days before it the same rule fired on at least :data:`MIN_DAYS` of them

* for the same principal, or, when the principal has too little history of its own,
* for sessions of the same role (its peer group: a new job under the jobs' role),

with a value (objects, bytes) at least 1/:data:`HEADROOM` of this one's and about assets at least
as sensitive. A first bulk read still alerts; so does a job that suddenly reads twice its usual,
or a researcher whose role never does this, or a routine reader touching more sensitive data than
it routinely does. The history is the detections of the same run, so ``detect`` over the whole
lake (its default) sees it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from labwarden.core.values import Sensitivity
from labwarden.watch.detect.run import Detection

BASELINE_TAG = "labwarden.baseline"
HISTORY_DAYS = 7
MIN_DAYS = 3
HEADROOM = 2.0


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


def split_routine(detections: list[Detection]) -> tuple[list[Detection], list[Routine]]:
    """``(kept, routine)``: the detections that still alert, and those left out with why."""
    history: dict[tuple[str, str, str], dict[date, _Day]] = defaultdict(dict)
    for detection in detections:
        if BASELINE_TAG not in detection.rule.tags:
            continue
        day = detection.first_seen.date()
        value, level = _value(detection), _sensitivity(detection.evidence)
        for key in _keys(detection):
            seen = history[key].setdefault(day, _Day())
            seen.value = max(seen.value, value)
            seen.sensitivity = max(seen.sensitivity, level)
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


def _why_routine(
    detection: Detection, history: dict[tuple[str, str, str], dict[date, _Day]]
) -> str | None:
    day = detection.first_seen.date()
    value, level = _value(detection), _sensitivity(detection.evidence)
    for key in _keys(detection):
        before = [
            seen
            for when, seen in history.get(key, {}).items()
            if day - timedelta(days=HISTORY_DAYS) <= when < day
        ]
        if len(before) < MIN_DAYS:
            continue  # too little history here: the role's, if any, decides
        usual = max(seen.value for seen in before)
        if value > HEADROOM * usual or level > max(seen.sensitivity for seen in before):
            return None  # more, or more sensitive, than its routine: it alerts
        who = f"its role {key[2]}'s sessions" if key[1] == "role" else "this principal"
        return (
            f"routine: fired for {who} on {len(before)} of the {HISTORY_DAYS} days before, "
            f"up to {usual:,.0f} (now {value:,.0f})"
        )
    return None
