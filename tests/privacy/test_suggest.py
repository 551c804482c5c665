from __future__ import annotations

import pyarrow as pa

from labwarden.privacy.suggest import Role, of_role, suggest, suggest_from_names


def test_cdisc_names() -> None:
    found = {
        s.column: s.role
        for s in suggest_from_names(
            [
                "STUDYID",
                "USUBJID",
                "SUBJID",
                "AGE",
                "SEX",
                "RACE",
                "ETHNIC",
                "COUNTRY",
                "SITEID",
                "BRTHDTC",
                "RFSTDTC",
                "AETERM",
                "ARM",
                "LBORRES",
                "weight_kg",
            ]
        )
    }
    assert found["USUBJID"] is Role.DIRECT
    assert found["SUBJID"] is Role.DIRECT
    assert "STUDYID" not in found
    for qi in (
        "AGE",
        "SEX",
        "RACE",
        "ETHNIC",
        "COUNTRY",
        "SITEID",
        "BRTHDTC",
        "RFSTDTC",
        "weight_kg",
    ):
        assert found[qi] is Role.QUASI, qi
    for sensitive in ("AETERM", "ARM", "LBORRES"):
        assert found[sensitive] is Role.SENSITIVE, sensitive


def test_content_postcodes_dates_icd10_and_unique_ids() -> None:
    rows = 50
    table = pa.table(
        {
            "col_a": [f"{80000 + i % 7}" for i in range(rows)],
            "col_b": [f"2024-01-{1 + i % 28:02d}" for i in range(rows)],
            "col_c": ["E11.9", "I10"] * (rows // 2),
            "col_d": [f"P{i:08x}" for i in range(rows)],
            "col_e": [f"{i * 1.5:.1f}" for i in range(rows)],
        }
    )
    found = {s.column: s.role for s in suggest(table)}
    assert found["col_a"] is Role.QUASI
    assert found["col_b"] is Role.QUASI
    assert found["col_c"] is Role.SENSITIVE
    assert found["col_d"] is Role.DIRECT
    assert "col_e" not in found
    assert of_role(suggest(table), Role.QUASI) == ["col_a", "col_b"]
