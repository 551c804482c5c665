"""The judgements a breach report needs, made from the scope and the timeline, each saying
what it rests on: the nature of the breach, its likely consequences, the 72-hour clock, and
whether the data subjects must be told (GDPR Art. 34).

Nothing here is invented: a statement is derived from stored facts and says which, or it is a
:data:`FILL_IN` marker for a person. Facts a person supplied are the incident's ``fields``
(``labwarden incident set ID --field NAME=VALUE``); :data:`PERSON_FIELDS` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from labwarden.core.events import parse_iso_time
from labwarden.core.incident import StoredIncident
from labwarden.respond.incident.scope import Scope

FILL_IN = "TO BE FILLED IN by a person"
"""What a field the tool cannot know says."""

PERSON_FIELDS = {
    "controller": "name, registration number (CVR) and address of the data controller",
    "dpo_name": "data protection officer or other contact point",
    "dpo_contact": "the contact point's e-mail and telephone",
    "data_subject_categories": "who the data subjects are (e.g. trial participants)",
    "consequences": "likely consequences, as the controller assesses them",
    "measures_taken": "measures taken to address the breach",
    "measures_proposed": "measures proposed, and to mitigate adverse effects",
    "delay_reason": "reasons for notifying after 72 hours",
    "notified_at": "when the notification was (or will be) sent, ISO 8601",
    "art34_decision": "whether and how the data subjects are told, and when",
    "cross_border": "data subjects in other EU/EEA countries, and which",
    "how_discovered": "how the lab learned of the breach",
}
"""Report facts only a person can supply, by the field name ``incident set --field`` takes."""

CLOCK = timedelta(hours=72)
HIGH_RISK = 0.5
"""Highest prosecutor risk at which a pseudonymized table is taken as re-identifiable."""


@dataclass(frozen=True, slots=True)
class Statement:
    """A judgement and what it rests on."""

    text: str
    basis: str

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready dictionary."""
        return {"text": self.text, "basis": self.basis}


def person(incident: StoredIncident, name: str) -> str:
    """A field a person supplied, or :data:`FILL_IN`."""
    return incident.fields.get(name) or FILL_IN


def breach_types(scope: Scope) -> list[Statement]:
    """Confidentiality, integrity, availability: which the logged operations show."""
    found: list[Statement] = []
    every = scope.assets + scope.unresolved
    reads = sum(t.events.get("read", 0) for t in every)
    writes = sum(t.events.get("write", 0) for t in every)
    deletes = sum(t.events.get("delete", 0) for t in every)
    if reads:
        found.append(
            Statement(
                "confidentiality breach (unauthorised access and disclosure)",
                f"{reads} successful read operations by the incident's principals",
            )
        )
    if writes:
        found.append(
            Statement(
                "integrity breach (unauthorised alteration)",
                f"{writes} successful write operations",
            )
        )
    if deletes:
        found.append(
            Statement(
                "availability breach (loss or destruction)",
                f"{deletes} successful delete operations",
            )
        )
    if any(i.state == "tampered" for i in scope.integrity):
        found.append(
            Statement(
                "integrity breach (altered models)", "a seal verification of a touched model failed"
            )
        )
    return found


def _reidentifiable(scope: Scope) -> list[str]:
    names = []
    for table in scope.personal.tables:
        risk = table.risk or {}
        highest = risk.get("highest")
        if isinstance(highest, int | float) and highest >= HIGH_RISK:
            names.append(f"{table.path} (highest risk {highest:.2f})")
    return names


def consequences(scope: Scope, incident: StoredIncident) -> list[Statement]:
    """Likely consequences, derived from what was taken, plus the controller's own."""
    found: list[Statement] = []
    risky = _reidentifiable(scope)
    subjects = scope.personal.subjects.value
    if risky:
        found.append(
            Statement(
                f"re-identification of {subjects or 'an unknown number of'} pseudonymized data "
                "subjects by whoever holds the data, through quasi-identifiers it contains",
                "prosecutor re-identification risk of the tables read: " + "; ".join(risky),
            )
        )
    if scope.personal.special_categories:
        found.append(
            Statement(
                "disclosure of special categories of data (GDPR Art. 9), such as health or ethnic "
                "origin, with risks of discrimination and loss of confidentiality of medical data",
                "PII findings of special-category columns in the datasets read",
            )
        )
    models = [t.name for t in scope.assets if t.kind == "model" and t.events.get("read")]
    if models:
        found.append(
            Statement(
                f"loss of confidential models ({', '.join(models)}); models trained on personal "
                "data can leak it (membership inference, memorised records)",
                "model assets read by the incident's principals",
            )
        )
    if any(r.fingerprint for r in scope.rotate):
        found.append(
            Statement(
                "further access with the secrets found in the assets read",
                "secrets findings in the assets read",
            )
        )
    own = incident.fields.get("consequences")
    found.append(Statement(own or FILL_IN, "the controller's assessment"))
    return found


@dataclass(frozen=True, slots=True)
class Clock:
    """The 72-hour clock of Art. 33(1)."""

    aware_at: datetime
    deadline: datetime
    notified_at: datetime | None
    notified_basis: str
    late_by: timedelta | None
    first_event: datetime | None
    detection_delay: timedelta | None
    delay_reason: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "aware_at": self.aware_at.isoformat(),
            "deadline": self.deadline.isoformat(),
            "notified_at": self.notified_at.isoformat() if self.notified_at else None,
            "notified_basis": self.notified_basis,
            "within_72_hours": self.late_by is None,
            "late_by_hours": round(self.late_by.total_seconds() / 3600, 1)
            if self.late_by
            else None,
            "first_event": self.first_event.isoformat() if self.first_event else None,
            "detection_delay_hours": round(self.detection_delay.total_seconds() / 3600, 1)
            if self.detection_delay
            else None,
            "delay_reason": self.delay_reason,
        }


def clock(incident: StoredIncident, first_event: datetime | None, now: datetime) -> Clock:
    """When the clock started, when it ends, and whether the notification is late."""
    aware = parse_iso_time(incident.aware_at)
    deadline = aware + CLOCK
    given = incident.fields.get("notified_at")
    try:
        notified = parse_iso_time(given) if given else now
        basis = "notified_at field" if given else "the time of this report (not yet sent)"
    except ValueError:
        notified, basis = now, f"notified_at field {given!r} is not a time; this report's time"
    late = notified - deadline if notified > deadline else None
    reason = incident.fields.get("delay_reason") or (FILL_IN if late else "not late")
    delay = aware - first_event if first_event and aware > first_event else None
    return Clock(aware, deadline, notified, basis, late, first_event, delay, reason)


def art34(scope: Scope, incident: StoredIncident) -> Statement:
    """Whether the data subjects must be told: a high risk to their rights and freedoms."""
    risky = _reidentifiable(scope)
    taken = scope.totals.get("assets_read")
    read_any = bool(taken and taken.value)
    decision = incident.fields.get("art34_decision")
    if not scope.personal.tables:
        text = "no table of personal data is known to be read: Art. 34 does not follow from "
        text += "the data the tool can see"
        basis = "no dataset with a subject column among the assets read"
    elif read_any and (risky or scope.personal.special_categories):
        text = (
            "likely high risk: the data subjects must be told without undue delay "
            "(Art. 34(1)), unless an exception of Art. 34(3) applies (e.g. the data taken "
            "was encrypted and the key was not)"
        )
        basis = "; ".join(
            filter(
                None,
                [
                    "re-identifiable pseudonymized tables were read: " + "; ".join(risky)
                    if risky
                    else "",
                    "special categories of data were read"
                    if scope.personal.special_categories
                    else "",
                ],
            )
        )
    else:
        text = (
            "pseudonymized data with a low measured re-identification risk was read: a "
            "high risk to the data subjects is not shown by the data; document the "
            "assessment"
        )
        basis = "re-identification risk of every table read below " + str(HIGH_RISK)
    if decision:
        text += f". Decision recorded: {decision}"
    else:
        text += f". Decision: {FILL_IN}"
    return Statement(text, basis)
