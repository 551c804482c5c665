"""An incident's scope as titled tables (the terminal view, and the report's technical annex)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labwarden.respond.incident.scope import Scope
from labwarden.respond.incident.touched import Touched


@dataclass(frozen=True, slots=True)
class Section:
    """A titled table."""

    title: str
    columns: list[str]
    rows: list[dict[str, Any]]


def _asset_row(item: Touched) -> dict[str, Any]:
    return {
        "asset": f"{item.asset_id}: {item.name}" if item.asset_id is not None else item.name,
        "kind": item.kind or "unknown",
        "sensitivity": item.sensitivity or "unknown",
        "reads": item.events.get("read", 0),
        "writes": item.events.get("write", 0) + item.events.get("delete", 0),
        "lists": item.events.get("list", 0),
        "failed": item.events.get("failed", 0),
        "objects_read": len(item.objects_read),
        "bytes_read": item.bytes_read,
        "principals": ", ".join(sorted(item.principals)),
        "first": item.first.isoformat() if item.first else "",
        "last": item.last.isoformat() if item.last else "",
    }


_ASSET_COLUMNS = [
    "asset",
    "kind",
    "sensitivity",
    "reads",
    "writes",
    "lists",
    "failed",
    "objects_read",
    "bytes_read",
    "principals",
    "first",
    "last",
]


def scope_sections(scope: Scope) -> list[Section]:
    """The scope's tables, in reading order; empty ones are left out."""
    personal = scope.personal
    sections = [
        Section(
            "Totals",
            ["measure", "value", "how"],
            [{"measure": k, "value": v.value, "how": v.how} for k, v in scope.totals.items()]
            + [
                {
                    "measure": "data_subjects",
                    "value": personal.subjects.value,
                    "how": personal.subjects.how,
                },
                {
                    "measure": "records",
                    "value": personal.records.value,
                    "how": personal.records.how,
                },
            ],
        ),
        Section(
            "Assets touched, by kind and sensitivity",
            ["kind", "sensitivity", "assets", "objects_read", "bytes_read"],
            scope.by_kind,
        ),
        Section("Assets touched", _ASSET_COLUMNS, [_asset_row(t) for t in scope.assets]),
        Section(
            "Resources in no catalog asset",
            _ASSET_COLUMNS,
            [_asset_row(t) for t in scope.unresolved],
        ),
        Section(
            "Tables of personal data read",
            [
                "asset",
                "path",
                "subject_column",
                "subjects",
                "rows",
                "how_read",
                "risk",
                "risk_source",
            ],
            [{**t.to_dict(), "risk": _risk(t.risk)} for t in personal.tables],
        ),
        Section(
            "Categories of personal data", ["category", "column", "source"], personal.categories
        ),
        Section("Rotate now", ["what", "where", "why"], [r.to_dict() for r in scope.rotate]),
        Section(
            "Integrity to re-verify",
            ["asset", "kind", "version", "state", "detail", "command"],
            [i.to_dict() for i in scope.integrity],
        ),
    ]
    if scope.reverified is not None:
        sections.append(
            Section(
                "Re-verified now",
                ["asset", "version", "outcome", "detail", "findings"],
                scope.reverified,
            )
        )
    if scope.reachable_not_read is not None:
        sections.append(
            Section(
                "Could have read, did not",
                ["asset_id", "principal", "how"],
                [
                    {"asset_id": r.asset_id, "principal": r.principal, "how": r.how}
                    for r in scope.reachable_not_read
                ],
            )
        )
    if scope.could_read is not None:
        sections.append(
            Section(
                "Who could read the touched assets",
                ["asset_id", "principal", "how"],
                [
                    {"asset_id": r.asset_id, "principal": r.principal, "how": r.how}
                    for r in scope.could_read
                ],
            )
        )
    if scope.grants is not None:
        sections.append(
            Section(
                "Granted by the policies?",
                ["principal", "identity", "bucket", "access", "day", "events", "verdict", "why"],
                scope.grants,
            )
        )
    sections.append(Section("Unknown", ["note"], [{"note": n} for n in scope.notes]))
    return [s for s in sections if s.rows]


def _risk(risk: dict[str, Any] | None) -> str:
    if not risk:
        return "unknown"
    highest = risk.get("highest")
    at_risk = risk.get("records_at_risk")
    if not isinstance(highest, int | float) or not isinstance(at_risk, int | float):
        return "unknown"
    return f"highest {highest:.2f}, {at_risk:.0%} of records above {risk.get('threshold')}"
