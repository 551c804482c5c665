from __future__ import annotations

import pyarrow as pa

from labwarden.privacy.safe_harbor import check


def test_finds_identifiers_by_content() -> None:
    table = pa.table(
        {
            "contact": ["a@example.org", "b@example.com"],
            "ssn_col": ["123-45-6789", "987-65-4321"],
            "zip": ["81667", "02139"],
            "visit": ["2024-03-01", "2024-04-11"],
            "AGE": ["34", "93"],
            "name": ["Ann", "Bob"],
            "site": ["101", "102"],
        }
    )
    issues = {(i.column, i.identifier[:3]) for i in check(table)}
    assert ("contact", "(F)") in issues
    assert ("ssn_col", "(G)") in issues
    assert ("zip", "(B)") in issues
    assert ("visit", "(C)") in issues
    assert ("AGE", "(C)") in issues
    assert ("name", "(A)") in issues
    assert not any(column == "site" for column, _ in issues)


def test_clean_table_has_no_issues() -> None:
    table = pa.table({"AGE": ["[30, 40[", "*"], "YEAR": ["1970", "1980"]})
    assert check(table) == []
