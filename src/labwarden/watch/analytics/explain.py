"""Turn the numbers of a scored principal-day into sentences a responder can act on."""

from __future__ import annotations

from typing import Any

from labwarden.report.tabular import human_size
from labwarden.watch.analytics.scoring import TIERS

MIN_POINTS = 0.75

_SPIKES = (
    (
        "objects",
        "pts_objects",
        "objects_p90",
        "read {row[objects_read]:,} objects (usually at most {usual:,.0f} a day)",
    ),
    (
        "prefixes",
        "pts_prefixes",
        "prefixes_p90",
        "touched {row[prefixes]} prefixes (usually at most {usual:,.0f})",
    ),
    (
        "listing",
        "pts_lists",
        "lists_p90",
        "listed {row[lists]:,} times (usually at most {usual:,.0f}): a sweep",
    ),
)
"""Counts compared with the principal's usual daily maximum: component, points, baseline, text."""


def _times(value: float, reference: float | None) -> str | None:
    if reference is None or reference <= 0:
        return None
    ratio = value / reference
    return f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.1f}x"


Component = tuple[str, float, str]
"""``(component, points, sentence)``."""


def components(row: dict[str, Any], new_values: dict[str, list[str]]) -> list[Component]:
    """``(component, points, sentence)`` for every component that contributed, largest first."""
    out = [c for tier, _ in TIERS if (c := _volume(row, tier)) is not None]
    for component, points_key, usual_key, template in _SPIKES:
        points = float(row.get(points_key) or 0)
        if points >= MIN_POINTS:
            usual = row.get(usual_key) or 0
            out.append((component, points, template.format(row=row, usual=usual)))
    for explain in (_first_seen, _odd_hours, _failures, _sustained):
        found = explain(row, new_values)
        if found is not None:
            out.append(found)
    out.sort(key=lambda c: -c[1])
    return out


def _volume(row: dict[str, Any], tier: str) -> Component | None:
    """Bytes of one sensitivity tier against the principal's median and its peers'."""
    points = float(row.get(f"vol_{tier}") or 0)
    if points < MIN_POINTS:
        return None
    value = float(row[f"bytes_{tier}"])
    text = f"read {human_size(int(value))} of {tier} data"
    own = _times(value, row.get(f"{tier}_p50"))
    days = int(row.get("active_days") or 0)
    cadence = f", active every {row['cadence_days']} days" if row.get("cadence_days") else ""
    if days and own:
        usual = human_size(int(row[f"{tier}_p50"]))
        text += f", {own} its median over its last {days} active days ({usual}{cadence})"
    elif days:
        text += f" (it read none on its last {days} active days)"
    else:
        text += " (no history yet)"
    peer = _times(value, row.get(f"peer_{tier}_p50"))
    if peer:
        text += f" and {peer} its peers'"
    return f"volume-{tier}", points, text


_FIRST_SEEN = (
    ("network", "from a network never seen before"),
    ("country", "from a country never seen before"),
    ("tool", "with a tool never used before"),
    ("operation", "with operations never used before"),
    ("restricted-asset", "first reads of restricted assets"),
    ("prefix", "first reads of prefixes"),
)


def _first_seen(row: dict[str, Any], new_values: dict[str, list[str]]) -> Component | None:
    """What the principal did for the first time that day."""
    if float(row.get("pts_new") or 0) <= 0:
        return None
    parts = []
    for kind, label in _FIRST_SEEN:
        values = new_values.get(kind)
        if values:
            more = f" and {len(values) - 3} more" if len(values) > 3 else ""
            parts.append(f"{label} ({', '.join(values[:3])}{more})")
    return ("first-seen", float(row["pts_new"]), "; ".join(parts)) if parts else None


def _odd_hours(row: dict[str, Any], _new: dict[str, list[str]]) -> Component | None:
    if float(row.get("pts_hours") or 0) < MIN_POINTS:
        return None
    hours = ", ".join(f"{h:02d}:00" for h in row.get("odd_hours") or [])
    return (
        "odd-hours",
        float(row["pts_hours"]),
        f"{row['odd_events']:,} of {row['events']:,} events at {hours} UTC, "
        "hours it is almost never active",
    )


def _failures(row: dict[str, Any], _new: dict[str, list[str]]) -> Component | None:
    if float(row.get("pts_failures") or 0) <= 0:
        return None
    rate = row["failures"] / max(row["events"], 1)
    usual = row.get("failure_rate") or 0
    return (
        "failures",
        float(row["pts_failures"]),
        f"{row['failures']:,} failed calls ({rate:.0%}; usually {usual:.1%})",
    )


def _sustained(row: dict[str, Any], _new: dict[str, list[str]]) -> Component | None:
    if float(row.get("pts_sustained") or 0) < MIN_POINTS:
        return None
    days = int(row.get("week_days") or 7)
    ratio = _times(float(row["week_bytes"]), days * float(row.get("before_daily_p50") or 0))
    text = (
        f"read {human_size(int(row['week_bytes']))} of restricted and confidential data on "
        f"{days} days of the last 7"
    )
    if ratio:
        text += f", {ratio} its usual for as many days"
    if row.get("days_over"):
        text += f"; above its usual daily maximum on {row['days_over']} of them"
    return "sustained", float(row["pts_sustained"]), text


def headline(principal: str, parts: list[tuple[str, float, str]]) -> str:
    """One line: the principal and its three strongest reasons."""
    reasons = ", ".join(text for _, _, text in parts[:3]) or "unusual activity"
    return f"{principal} {reasons}"


def baseline(row: dict[str, Any], window: int) -> dict[str, Any]:
    """What the day was compared with (stored with the alert)."""
    keys = [
        "active_days",
        "peer_count",
        "read_p50",
        "objects_p50",
        "objects_p90",
        "prefixes_p90",
        "lists_p90",
        "failure_rate",
        "before_daily_p50",
        "has_history",
        "cadence_days",
    ]
    keys += [f"{t}_{q}" for t, _ in TIERS for q in ("p50", "p90") if f"{t}_{q}" in row]
    keys += [f"peer_{t}_p50" for t, _ in TIERS if f"peer_{t}_p50" in row]
    found = {k: row.get(k) for k in keys}
    found["window_days"] = window
    found["events_today"] = row.get("events")
    return found
