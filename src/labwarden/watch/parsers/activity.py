"""Classify an API operation name into an activity (read, list, write, delete, ...)."""

from __future__ import annotations

ACTIVITY_PREFIXES: tuple[tuple[str, str], ...] = (
    ("List", "list"),
    ("Describe", "read"),
    ("Get", "read"),
    ("Head", "read"),
    ("Select", "read"),
    ("Download", "read"),
    ("Create", "create"),
    ("Put", "write"),
    ("Upload", "write"),
    ("Copy", "write"),
    ("Update", "update"),
    ("Modify", "update"),
    ("Attach", "update"),
    ("Detach", "update"),
    ("Set", "update"),
    ("Delete", "delete"),
    ("Remove", "delete"),
    ("Stop", "update"),
    ("Start", "update"),
)
"""Operation name prefixes (CloudTrail style) and their activity, first match wins."""


def activity_of(operation: str | None) -> str:
    """The activity of an operation name such as ``GetObject`` (``other`` when unknown)."""
    if not operation:
        return "other"
    name = operation.rsplit(".", 1)[-1].rsplit("/", 1)[-1]
    for prefix, activity in ACTIVITY_PREFIXES:
        if name.startswith(prefix) or name.lower().startswith(prefix.lower()):
            return activity
    return "other"
