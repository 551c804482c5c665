"""Entities in free text, with exact spans."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.checks.pii.entities import find_entities, mask


def found(text: str) -> list[tuple[str, str]]:
    return [(s.entity, s.text) for s in find_entities(text)]


def test_log_payload_with_phi() -> None:
    line = 'DEBUG payload patient_name="Maria Jensen" dob=1961-04-12 mrn=MRN-4481923 site=DK-101'
    assert found(line) == [
        ("PERSON", "Maria Jensen"),
        ("DATE_OF_BIRTH", "1961-04-12"),
        ("MRN", "MRN-4481923"),
        ("SITE_ID", "DK-101"),
    ]


def test_national_ids_need_valid_structure() -> None:
    text = "cpr 120561-1234; ssn 123-45-6780; NHS 943 476 5919; pnr 811218-9876"
    assert found(text) == [
        ("DK_CPR", "120561-1234"),
        ("US_SSN", "123-45-6780"),
        ("UK_NHS", "943 476 5919"),
        ("SE_PERSONNUMMER", "811218-9876"),
    ]
    assert found("build 2026-10-01 id 320561-1234 ref 000-12-3456 order 943 476 5918") == []


def test_contact_data_and_health_terms() -> None:
    text = (
        "Contact Dr. Hansen at +45 20 12 34 56 or lars.nielsen@regionh.dk; "
        "started metformin, dx: E11.9"
    )
    assert found(text) == [
        ("PERSON", "Hansen"),
        ("PHONE", "+45 20 12 34 56"),
        ("EMAIL", "lars.nielsen@regionh.dk"),
        ("MEDICATION", "metformin"),
        ("DIAGNOSIS", "E11.9"),
    ]


def test_ml_logs_are_clean() -> None:
    lines = [
        "2026-10-01T08:00:00Z INFO docking-run-7 epoch=0 step=500 loss=1.9900 lr=3e-4",
        "Oct 01 09:00:00 gpu-node-3 sshd[4121]: Accepted publickey for akumar from 10.20.1.7",
        '10.20.3.7 - mlarsen [01/Oct/2026:08:00:00 +0000] "GET /api/models/tox HTTP/1.1" 200 1234',
        "model name: Tox Classifier v2, run name=docking-run-7",
    ]
    spans = find_entities("\n".join(lines))
    # the private addresses of lab machines are reported, graded below the reporting of people
    assert [(s.entity, s.text) for s in spans] == [
        ("IP_ADDRESS", "10.20.1.7"),
        ("IP_ADDRESS", "10.20.3.7"),
    ]
    assert all(s.confidence < 0.7 for s in spans)


def test_mask() -> None:
    assert mask("Maria Jensen") == "M**** J*****"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_spans_are_inside_the_text(text: str) -> None:
    for span in find_entities(text):
        assert text[span.start : span.end] == span.text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab \n", max_size=12000), st.data())
def test_cue_lines_cover_every_cue(text: str, data: st.DataObject) -> None:
    from labwarden.checks.pii.entities import lines_at

    if not text:
        return
    positions = sorted(data.draw(st.sets(st.integers(0, len(text) - 1), max_size=30)))
    spans = lines_at(text, positions)
    assert all(0 <= a < b <= len(text) or a == b for a, b in spans)
    assert all(spans[i][1] < spans[i + 1][0] for i in range(len(spans) - 1))
    for pos in positions:
        assert any(a <= pos < b or (a == b == pos) for a, b in spans) or text[pos] == "\n"
