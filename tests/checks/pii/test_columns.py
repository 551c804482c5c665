"""Column classification from names and sampled values."""

from __future__ import annotations

from labwarden.checks.pii.columns import classify_column, classify_columns, normalize


def entity(name: str, values: list[str | None]) -> str | None:
    verdict = classify_column(name, values)
    return verdict.entity if verdict else None


def test_names_confirmed_by_values() -> None:
    assert entity("Email", ["a.b@rigshospitalet.dk", "c.d@au.dk"]) == "EMAIL"
    assert entity("cpr_nr", ["120561-1234", "0101001234"]) == "DK_CPR"
    assert entity("AGE", ["54", "61", None]) == "AGE"
    assert entity("BRTHDTC", ["1961-04", "1972-02"]) == "DATE_OF_BIRTH"
    assert entity("patientName", ["Maria Jensen", "Lars Nielsen"]) == "PERSON"
    assert entity("diagnosis_icd10", ["E11.9", "I10"]) == "DIAGNOSIS"
    assert entity("SEX", ["M", "F"]) == "SEX"


def test_values_alone_decide_when_unmistakable() -> None:
    assert entity("col7", ["maria@regionh.dk", "lars@regionh.dk", "sofia@ki.se"]) == "EMAIL"
    assert entity("x", ["123-45-6780", "536-22-1234"]) == "US_SSN"
    assert entity("who", ["Maria Jensen", "Lars Nielsen", "Anna Berg"]) == "PERSON"


def test_name_without_matching_values_is_not_enough() -> None:
    assert entity("phone", ["n/a", "unknown", "none"]) is None
    assert entity("name", ["docking-v7", "tox-classifier", "plm-3"]) is None


def test_free_text_naming_people() -> None:
    notes: list[str | None] = [
        "Patient Maria Jensen called about nausea after the second dose.",
        "Spoke with Lars Nielsen, follow-up booked for next week.",
        "No issues reported at the visit today, all vitals in range.",
    ]
    assert entity("comments", notes) == "FREE_TEXT_IDENTIFIERS"


def test_compound_tables_hold_nothing_personal() -> None:
    columns: dict[str, list[str | None]] = {
        "compound_id": ["CPD-LIB00001", "CPD-LIB00002"],
        "smiles": ["CC(=O)Oc1ccccc1C(=O)O", "C1=CC=CC=C1"],
        "mw": ["180.16", "78.11"],
        "target": ["KRAS", "EGFR"],
    }
    assert classify_columns(columns) == []


def test_normalize() -> None:
    assert normalize("Patient Name") == normalize("patientName") == "patient_name"


def test_unnamed_columns_are_read_by_the_text_recognizers() -> None:
    assert entity("c1", ["DK50 0040 0440 1162 43", "GB82 WEST 1234 5698 7654 32"]) == "IBAN"
    assert entity("c2", ["+45 20 12 34 56", "+46 70 123 45 67", "+44 7700 900123"]) == "PHONE"
    assert entity("c3", ["131052-308T", "010190-123M"]) == "FI_HETU"
    assert entity("c4", ["8.8.8.8", "193.0.6.139"]) == "IP_ADDRESS"
    assert entity("iban", ["DK5000400440116243", "GB82WEST12345698765432"]) == "IBAN"


def test_columns_and_prose_agree() -> None:
    from labwarden.checks.pii.entities import find_entities

    values: list[str | None] = ["Siobhan Brennan", "Krisztián Szöllösy", "Maria Jensen"]
    prose = {s.entity for v in values if v for s in find_entities(f"Best regards,\n{v}\n")}
    assert prose == {"PERSON"}
    assert entity("who", values) == "PERSON"
