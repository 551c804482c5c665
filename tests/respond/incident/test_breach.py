"""The breach report of a realistic breach: its numbers checked against the data it was built
from, nothing invented, the 72-hour clock, Art. 34, and the Markdown and HTML renderings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest

from labwarden.core.incident import IncidentDraft, Scope
from labwarden.respond.incident.assessment import FILL_IN, PERSON_FIELDS
from labwarden.respond.incident.breach import build_report
from labwarden.respond.incident.breach_render import to_html, to_markdown
from labwarden.respond.incident.scope import build_scope
from labwarden.respond.incident.timeline import build_timeline
from labwarden.store.catalog import Catalog
from tests.respond.incident.scenario import (
    AE_ROWS,
    ATTACKER_IP,
    BYTES_READ,
    ROWS,
    STOLEN_KEY,
    SUBJECTS,
    Scenario,
    build,
)

NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build(tmp_path_factory.mktemp("breach"))


def _report(scenario: Scenario, title: str = "stolen key", **fields: str) -> dict[str, Any]:
    with Catalog.open(scenario.workspace) as catalog:
        draft = IncidentDraft(
            title=title,
            aware_at="2026-03-03T09:00:00Z",
            scope=Scope(selectors=[("access_key", STOLEN_KEY)]),
            fields=fields,
        )
        incident = catalog.incidents.open(draft, "alice")
        catalog.incidents.set_status(incident.id, "contained", "bob")
        incident = catalog.incidents.get(incident.id)
        scope = build_scope(catalog, scenario.workspace, incident)
        timeline = build_timeline(catalog, scenario.workspace, incident)
    return build_report(scope, timeline, actor="carol", now=NOW)


def test_numbers_match_the_data(scenario: Scenario) -> None:
    doc = _report(scenario)
    nature = doc["nature"]
    assert nature["data_subjects"]["value"] == SUBJECTS
    assert nature["records"]["value"] == ROWS + AE_ROWS
    assert "USUBJID" in nature["data_subjects"]["how"]
    assert f"({BYTES_READ} bytes)" in nature["description"]["text"]
    assert STOLEN_KEY in nature["description"]["text"]
    assert [t["text"].split(" (")[0] for t in nature["types"]] == ["confidentiality breach"]
    categories = {c["category"] for c in nature["personal_data_categories"]}
    assert {"age", "sex", "date_of_birth"} <= categories and nature["special_categories"]
    assert "must be told" in doc["art34"]["text"] and FILL_IN in doc["art34"]["text"]
    indicators = {(i["type"], i["value"]) for i in doc["annex"]["indicators"]}
    assert ("source address", ATTACKER_IP) in indicators
    assert ("access key", STOLEN_KEY) in indicators
    proposed = [m["text"] for m in doc["measures"]["proposed"]]
    assert proposed[0] == f"rotate {STOLEN_KEY} (access key)"
    taken = [m["text"] for m in doc["measures"]["taken"]]
    assert taken[0].startswith("incident contained at") and taken[0].endswith("by bob")
    evidence = doc["annex"]["evidence"]
    assert len(evidence[0]["sha256"]) == 64 and evidence[0]["lines"] > 0


def test_nothing_is_invented(scenario: Scenario) -> None:
    doc = _report(scenario)
    assert doc["contact"] == {"name": FILL_IN, "contact": FILL_IN, "controller": FILL_IN}
    assert set(doc["to_fill_in"]) == set(PERSON_FIELDS)
    form = {f["english"]: f["answer"] for f in doc["form"]}
    assert form["controller"] == FILL_IN
    assert form["cross-border"] == FILL_IN
    assert form["approximate number of data subjects"] == str(SUBJECTS)
    # aware 03-03 09:00, this report 03-05 12:00: within the clock, and not sent yet
    assert doc["clock"]["within_72_hours"] is True
    assert "not yet sent" in doc["clock"]["notified_basis"]
    late = _report(scenario, notified_at="2026-03-07T09:00:00Z")["clock"]
    assert late["late_by_hours"] == 24.0 and late["delay_reason"] == FILL_IN


def test_the_clock_and_what_a_person_supplied(scenario: Scenario) -> None:
    doc = _report(
        scenario,
        dpo_name="Jane Doe",
        dpo_contact="dpo@lab.example",
        notified_at="2026-03-06T10:00:00Z",
        delay_reason="forensic imaging of the server took a day",
    )
    clock = doc["clock"]
    assert clock["deadline"] == "2026-03-06T09:00:00+00:00"
    assert clock["within_72_hours"] is False and clock["late_by_hours"] == 1.0
    assert clock["delay_reason"] == "forensic imaging of the server took a day"
    assert clock["first_event"] == "2026-03-03T02:10:00+00:00"
    assert clock["detection_delay_hours"] == 6.8
    assert doc["contact"]["name"] == "Jane Doe"
    on_time = _report(scenario, notified_at="2026-03-04T10:00:00Z")["clock"]
    assert on_time["within_72_hours"] is True and on_time["delay_reason"] == "not late"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_escaped(scenario: Scenario) -> None:
    doc = _report(scenario, title="<script>alert(1)</script> & co")
    page = _Page()
    page.feed(to_html(doc))
    names = [t for t, _ in page.tags]
    assert "script" not in names and "link" not in names and "img" not in names
    assert not any("src" in attrs or "href" in attrs for _, attrs in page.tags)
    text = "".join(page.text)
    assert "<script>alert(1)</script> & co" in text  # shown as text, not markup
    assert "Datatilsynet notification form" in text and str(SUBJECTS) in text
    assert names.count("h2") >= 8


def test_markdown_sections_and_json_round_trip(scenario: Scenario) -> None:
    doc = _report(scenario)
    markdown = to_markdown(doc)
    for heading in (
        "## 1. Nature of the breach",
        "## 2. Contact point",
        "## 3. Likely consequences",
        "## 4. Measures taken and proposed",
        "## 5. Timing",
        "## 6. Communication to the data subjects",
        "## 7. Datatilsynet notification form",
        "## Technical annex",
    ):
        assert heading in markdown
    assert json.loads(json.dumps(doc, default=str))["nature"]["records"]["value"] == ROWS + AE_ROWS


def test_empty_incident_report_says_what_is_unknown(scenario: Scenario) -> None:
    with Catalog.open(scenario.workspace) as catalog:
        incident = catalog.incidents.open(IncidentDraft(title="nothing yet"), "alice")
        scope = build_scope(catalog, scenario.workspace, incident)
        timeline = build_timeline(catalog, scenario.workspace, incident)
    doc = build_report(scope, timeline, actor="carol", now=NOW)
    assert doc["nature"]["data_subjects"]["value"] is None
    assert FILL_IN in doc["nature"]["description"]["text"]
    assert any("no selectors" in n for n in doc["unknown"])
    assert "no table of personal data" in doc["art34"]["text"]
    to_markdown(doc)
    to_html(doc)
