"""National identifiers and health codes: checksums, dates and reserved ranges."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labwarden.checks.pii import validators as v


@pytest.mark.parametrize(
    ("fn", "good", "bad"),
    [
        (
            v.danish_cpr,
            ["120561-1234", "0101001234", "290200-4001"],
            ["320561-1234", "290201-1234", "12056"],
        ),
        (
            v.us_ssn,
            ["123-45-6780", "536-22-1234"],
            ["000-12-3456", "666-12-3456", "900-12-3456", "078-05-1120", "123-00-4567"],
        ),
        (v.uk_nhs, ["943 476 5919", "9434765919"], ["943 476 5918", "1111111111"]),
        (
            v.swedish_personnummer,
            ["811218-9876", "19811218-9876", "701063-2391"],
            ["811218-9875", "811318-9876"],
        ),
        (v.icd10, ["E11.9", "I10", "J45.909", "S72.001A"], ["U07", "E1", "11.9", "CPD-1"]),
        (
            v.email,
            ["maria.jensen@rigshospitalet.dk"],
            ["ci@acme.iam.gserviceaccount.com", "a@example.com", "no-at-sign"],
        ),
        (
            v.phone,
            ["+45 20 12 34 56", "(555) 123-4567", "020 7946 0958"],
            ["2026-10-01", "12345", "3.14159"],
        ),
        (v.calendar_date, ["1961-04-12", "1961-04", "12/04/1961"], ["1961-13-01", "1961-02-30"]),
    ],
)
def test_validators(fn: Callable[[str], bool], good: list[str], bad: list[str]) -> None:
    assert all(fn(x) for x in good), [x for x in good if not fn(x)]
    assert not any(fn(x) for x in bad), [x for x in bad if fn(x)]


@given(st.text(max_size=30))
def test_validators_accept_any_text(text: str) -> None:
    for fn in (
        v.danish_cpr,
        v.us_ssn,
        v.uk_nhs,
        v.swedish_personnummer,
        v.icd10,
        v.email,
        v.phone,
        v.calendar_date,
        v.age,
        v.sex,
        v.postcode,
    ):
        assert fn(text) in (True, False)


@given(st.integers(min_value=0, max_value=999_999_999))
def test_nhs_check_digit_is_unique(base: int) -> None:
    digits = f"{base:09d}"
    valid = [d for d in range(10) if v.uk_nhs(digits + str(d))]
    assert len(valid) <= 1
