"""The breach report: what GDPR Art. 33(3) requires the regulator be told, the 72-hour clock,
the Art. 34 assessment, the fields of the Danish Datatilsynet's notification form, and a
technical annex (timeline summary, scope tables, indicators, evidence hashes).

:func:`build_report` returns one JSON-ready document; :mod:`.breach_render` writes it as
Markdown or as one self-contained HTML file. Every derived statement carries its basis; what
only a person can know is :data:`~labwarden.respond.incident.assessment.FILL_IN`.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime
from typing import Any

import pyarrow.compute as pc

from labwarden import __version__
from labwarden.core.incident import StoredIncident
from labwarden.respond.incident import assessment as judge
from labwarden.respond.incident.assessment import FILL_IN, Statement, person
from labwarden.respond.incident.render import write_jsonl
from labwarden.respond.incident.scope import Scope
from labwarden.respond.incident.timeline import Timeline
from labwarden.respond.incident.views import scope_sections

INDICATOR_COLUMNS = {
    "src_ip": "source address",
    "access_key": "access key",
    "user_agent": "user agent",
    "actor_user": "principal",
}
KEY_LINES = 200
"""Most timeline lines (besides lake events) the annex lists."""


def _time(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _span(timeline: Timeline) -> tuple[datetime | None, datetime | None]:
    if timeline.lake.num_rows:
        times = timeline.lake.column("time")
        return _time(pc.min(times).as_py()), _time(pc.max(times).as_py())
    attack = [e.time for e in timeline.others if e.source in ("alert", "triage")]
    return (min(attack), max(attack)) if attack else (None, None)


def _description(scope: Scope, timeline: Timeline) -> Statement:
    first, last = _span(timeline)
    if first is None or last is None:
        return Statement(
            f"no event of the incident is known: {FILL_IN}",
            "no lake event, alert or triage record in the incident's scope",
        )
    totals = scope.totals
    incident = scope.incident
    who = ", ".join(sorted({p for t in scope.assets + scope.unresolved for p in t.principals}))
    keys = ", ".join(incident.selected("access_key")) or "none in scope"
    kinds = (
        "; ".join(f"{g['assets']} {g['sensitivity']} {g['kind']} assets" for g in scope.by_kind)
        or "no catalogued asset"
    )
    text = (
        f"Between {first.isoformat()} and {last.isoformat()}, {who or 'unknown principals'} "
        f"(access keys: {keys}) read {totals['objects_read'].value} objects "
        f"({totals['bytes_read'].value} bytes) of {totals['assets_read'].value} catalogued "
        f"assets ({kinds}). {len(incident.alerts)} alerts are linked."
    )
    return Statement(
        text,
        "lake events of the incident's selectors in its window, and its "
        "alerts (labwarden incident timeline/scope)",
    )


def _subject_categories(scope: Scope) -> Statement:
    given = scope.incident.fields.get("data_subject_categories")
    if given:
        return Statement(given, "data_subject_categories field")
    columns = sorted({t.subject_column for t in scope.personal.tables if t.subject_column})
    assets = sorted({t.asset_name for t in scope.personal.tables})
    if not columns:
        return Statement(FILL_IN, "no table with a subject column was read")
    return Statement(
        f"{FILL_IN} (the tables read identify their subjects by {', '.join(columns)} in "
        f"{', '.join(assets)}: e.g. trial participants; the tool cannot tell who they are)",
        "subject columns of the tables read",
    )


def _measures(incident: StoredIncident, scope: Scope) -> tuple[list[Statement], list[Statement]]:
    taken = [
        Statement(
            f"incident {c.detail.get('to')} at {c.at} by {c.actor}"
            + (f": {c.detail['resolution']}" if c.detail.get("resolution") else ""),
            "the incident's audit trail",
        )
        for c in incident.changes
        if c.action == "status"
    ]
    taken += [Statement(f"{n.at} {n.author}: {n.text}", "incident note") for n in incident.notes]
    taken.append(Statement(person(incident, "measures_taken"), "measures_taken field"))
    proposed = [Statement(f"rotate {r.what} ({r.where})", r.why) for r in scope.rotate]
    proposed += [
        Statement(
            f"re-verify {i.asset_name} ({i.state}): {i.command or 'seal a known-good copy'}",
            i.detail,
        )
        for i in scope.integrity
        if i.must_verify
    ]
    proposed.append(Statement(person(incident, "measures_proposed"), "measures_proposed field"))
    return taken, proposed


def _indicators(timeline: Timeline) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    lake = timeline.lake
    for column, label in INDICATOR_COLUMNS.items():
        if lake.num_rows == 0:
            break
        valid = lake.filter(pc.is_valid(lake.column(column)))
        grouped = valid.group_by(column).aggregate(
            [("time", "min"), ("time", "max"), ("time", "count")]
        )
        for row in sorted(grouped.to_pylist(), key=lambda r: (-r["time_count"], r[column])):
            found.append(
                {
                    "type": label,
                    "value": row[column],
                    "events": row["time_count"],
                    "first": row["time_min"],
                    "last": row["time_max"],
                }
            )
    return found


def _sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _evidence(timeline: Timeline, scope: Scope, scope_doc: dict[str, Any]) -> list[dict[str, Any]]:
    buffer = io.StringIO()
    write_jsonl(timeline.lines(), buffer)
    found: list[dict[str, Any]] = [
        {
            "what": "timeline (JSONL, as `incident timeline --format jsonl` writes it)",
            "sha256": _sha256_of(buffer.getvalue()),
            "lines": len(timeline),
        },
        {
            "what": "scope (JSON, as `incident scope --format json` writes it)",
            "sha256": _sha256_of(json.dumps(scope_doc, indent=2, default=str) + "\n"),
        },
    ]
    for attachment in scope.incident.attachments:
        feed = next((f for f in timeline.feeds if f.archive == attachment.path), None)
        state = "unread" if feed is None else "intact" if feed.intact else "does not match"
        found.append(
            {
                "what": f"triage archive {attachment.path}",
                "sha256": attachment.sha256,
                "state": f"{state} its manifest"
                + ("; sealed" if feed is not None and feed.sealed else ""),
            }
        )
    for item in scope.integrity:
        if item.version:
            found.append(
                {
                    "what": f"seal {item.version} of {item.asset_name}",
                    "state": item.state,
                    "sha256": None,
                    "detail": item.detail,
                }
            )
    return found


def _timeline_summary(timeline: Timeline) -> dict[str, Any]:
    first, last = _span(timeline)
    lake = timeline.lake
    by_operation: list[dict[str, Any]] = []
    if lake.num_rows:
        grouped = lake.group_by("api_operation").aggregate([("time", "count")])
        by_operation = sorted(
            (
                {"operation": r["api_operation"], "events": r["time_count"]}
                for r in grouped.to_pylist()
            ),
            key=lambda r: -int(r["events"]),
        )
    key = [e for e in timeline.others if e.source != "incident"]
    return {
        "lines": len(timeline),
        "lake_events": timeline.lake_events,
        "first": first.isoformat() if first else None,
        "last": last.isoformat() if last else None,
        "by_operation": by_operation,
        "key_lines": [e.to_dict() for e in key[:KEY_LINES]],
        "key_lines_left_out": max(0, len(key) - KEY_LINES),
    }


def _form(doc: dict[str, Any], incident: StoredIncident, scope: Scope) -> list[dict[str, str]]:
    """The fields of Datatilsynet's notification form (Danish label, English, answer)."""
    nature, clock = doc["nature"], doc["clock"]
    personal = scope.personal
    categories = ", ".join(sorted({c["category"] for c in personal.categories})) or FILL_IN
    rows = [
        ("Dataansvarlig", "controller", person(incident, "controller")),
        (
            "Kontaktperson / DPO",
            "contact point",
            f"{person(incident, 'dpo_name')}; {person(incident, 'dpo_contact')}",
        ),
        (
            "Tidspunkt for bruddet",
            "when the breach took place",
            f"{doc['annex']['timeline']['first'] or FILL_IN} .. "
            f"{doc['annex']['timeline']['last'] or FILL_IN}",
        ),
        ("Tidspunkt for konstatering", "when the controller became aware", clock["aware_at"]),
        (
            "Hvordan blev bruddet opdaget",
            "how it was discovered",
            incident.fields.get("how_discovered")
            or (f"{len(incident.alerts)} labwarden alerts" if incident.alerts else FILL_IN),
        ),
        (
            "Anmeldt inden for 72 timer",
            "notified within 72 hours",
            "yes"
            if clock["within_72_hours"]
            else f"no ({clock['late_by_hours']} h late): {clock['delay_reason']}",
        ),
        (
            "Bruddets karakter",
            "type of breach",
            "; ".join(s["text"] for s in nature["types"]) or FILL_IN,
        ),
        ("Beskrivelse af hændelsen", "description", nature["description"]["text"]),
        (
            "Kategorier af registrerede",
            "categories of data subjects",
            nature["data_subject_categories"]["text"],
        ),
        (
            "Antal berørte registrerede (ca.)",
            "approximate number of data subjects",
            str(personal.subjects.value) if personal.subjects.value is not None else FILL_IN,
        ),
        (
            "Kategorier af personoplysninger",
            "categories of personal data",
            categories + ("; special categories (Art. 9)" if personal.special_categories else ""),
        ),
        (
            "Antal berørte registreringer (ca.)",
            "approximate number of records",
            str(personal.records.value) if personal.records.value is not None else FILL_IN,
        ),
        (
            "Sandsynlige konsekvenser",
            "likely consequences",
            "; ".join(s["text"] for s in doc["consequences"]),
        ),
        (
            "Trufne foranstaltninger",
            "measures taken",
            "; ".join(s["text"] for s in doc["measures"]["taken"]),
        ),
        (
            "Foreslåede foranstaltninger",
            "measures proposed",
            "; ".join(s["text"] for s in doc["measures"]["proposed"]),
        ),
        ("Underretning af de registrerede", "data subjects told (Art. 34)", doc["art34"]["text"]),
        ("Grænseoverskridende", "cross-border", person(incident, "cross_border")),
        (
            "Anmeldelse i faser",
            "phased notification",
            "complete" if incident.status == "closed" else "initial; further information follows",
        ),
    ]
    return [{"field": da, "english": en, "answer": answer} for da, en, answer in rows]


def build_report(
    scope: Scope, timeline: Timeline, *, actor: str, now: datetime | None = None
) -> dict[str, Any]:
    """The breach report of ``scope.incident`` as one JSON-ready document."""
    incident = scope.incident
    moment = now or datetime.now(UTC)
    first, _ = _span(timeline)
    scope_doc = scope.to_dict()
    taken, proposed = _measures(incident, scope)
    personal = scope.personal
    doc: dict[str, Any] = {
        "format": "labwarden-breach-report/1",
        "incident": {
            "id": incident.id,
            "title": incident.title,
            "status": incident.status,
            "severity": incident.severity.value,
            "opened_at": incident.opened_at,
            "opened_by": incident.opened_by,
        },
        "generated": {
            "at": moment.isoformat(timespec="seconds"),
            "by": actor,
            "tool": f"labwarden {__version__}",
        },
        "nature": {
            "description": _description(scope, timeline).to_dict(),
            "types": [s.to_dict() for s in judge.breach_types(scope)],
            "data_subject_categories": _subject_categories(scope).to_dict(),
            "data_subjects": personal.subjects.to_dict(),
            "personal_data_categories": personal.categories,
            "special_categories": personal.special_categories,
            "records": personal.records.to_dict(),
        },
        "contact": {
            "name": person(incident, "dpo_name"),
            "contact": person(incident, "dpo_contact"),
            "controller": person(incident, "controller"),
        },
        "consequences": [s.to_dict() for s in judge.consequences(scope, incident)],
        "measures": {
            "taken": [s.to_dict() for s in taken],
            "proposed": [s.to_dict() for s in proposed],
        },
        "clock": judge.clock(incident, first, moment).to_dict(),
        "art34": judge.art34(scope, incident).to_dict(),
        "unknown": [*timeline.notes, *scope.notes],
        "annex": {
            "timeline": _timeline_summary(timeline),
            "scope": [
                {"title": s.title, "columns": s.columns, "rows": s.rows}
                for s in scope_sections(scope)
            ],
            "indicators": _indicators(timeline),
            "evidence": _evidence(timeline, scope, scope_doc),
        },
    }
    doc["form"] = _form(doc, incident, scope)
    doc["to_fill_in"] = sorted(
        {name for name, _ in judge.PERSON_FIELDS.items() if name not in incident.fields}
    )
    return doc
