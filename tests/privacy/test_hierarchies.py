from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.core.errors import InputError
from labwarden.privacy.hierarchies import (
    date_hierarchy,
    hierarchy_from_spec,
    interval_hierarchy,
    mask_hierarchy,
    parse_arx_hierarchy,
    read_arx_hierarchy,
)
from tests.conftest import corpora_path


@pytest.mark.corpora
def test_reads_arx_adult_age_hierarchy() -> None:
    path = corpora_path("privacy", "arx", "adult_hierarchy_age.csv")
    hierarchy = read_arx_hierarchy(path, "age", ["39", "50", "17"])
    assert hierarchy.levels == 5
    # ARX's own file maps 50 to "45-49"; we read what the file says.
    assert [hierarchy.labels[1][c] for c in hierarchy.maps[1]] == ["35-39", "45-49", "15-19"]
    assert hierarchy.labels[4] == ["*"]


def test_malformed_line_is_named() -> None:
    text = "a;x;*\nb;x\n"
    with pytest.raises(InputError, match=r"h.csv: malformed hierarchy line 2: 2 levels"):
        parse_arx_hierarchy(text, "col", ["a", "b"], "h.csv")


def test_value_missing_from_hierarchy() -> None:
    with pytest.raises(InputError, match=r"does not cover 'c' \(1 of 2 values"):
        parse_arx_hierarchy("a;*\nb;*\n", "col", ["a", "c"], "h.csv")


def test_non_monotonic_hierarchy_is_rejected() -> None:
    text = "a;x;1\nb;x;2\n"
    with pytest.raises(InputError, match="not monotonic"):
        parse_arx_hierarchy(text, "col", ["a", "b"], "h.csv")


def test_interval_date_and_mask() -> None:
    ages = interval_hierarchy("AGE", ["34", "35", "71"], [5, 10])
    assert [ages.labels[1][c] for c in ages.maps[1]] == ["[30, 35[", "[35, 40[", "[70, 75["]
    assert [ages.labels[2][c] for c in ages.maps[2]] == ["[30, 40[", "[30, 40[", "[70, 80["]
    assert ages.labels[3] == ["*"]
    dates = date_hierarchy("D", ["1971-03-02", "1974-11"], ["year", "5years", "decade"])
    assert [dates.labels[1][c] for c in dates.maps[1]] == ["1971", "1974"]
    assert dates.labels[2] == ["1970-1974"]
    assert dates.labels[3] == ["197*"]
    zips = mask_hierarchy("ZIP", ["81667", "81675"], [1, 2])
    assert zips.labels[1] == ["8166*", "8167*"]
    assert zips.labels[2] == ["816**"]


def test_spec_errors() -> None:
    with pytest.raises(InputError, match="not a multiple"):
        hierarchy_from_spec("AGE", ["1"], "interval:5,7")
    with pytest.raises(InputError, match="'x' is not a number"):
        hierarchy_from_spec("AGE", ["x"], "interval:5")
    with pytest.raises(InputError, match="no such hierarchy file"):
        hierarchy_from_spec("AGE", ["1"], "/nonexistent/h.csv")
    with pytest.raises(InputError, match="unknown date level"):
        hierarchy_from_spec("D", ["2020"], "date:week")


@st.composite
def nested_partitions(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """Values and, per value, a chain of nested group labels (a valid hierarchy)."""
    values = draw(
        st.lists(
            st.text("abcdef0123", min_size=1, max_size=4), min_size=1, max_size=30, unique=True
        )
    )
    levels = draw(st.integers(1, 4))
    groups = list(range(len(values)))
    rows = [[v] for v in values]
    for level in range(levels):
        fan = draw(st.integers(1, 4))
        groups = [g // fan for g in groups]
        for row, group in zip(rows, groups, strict=True):
            row.append(f"L{level}G{group}")
    for row in rows:
        row.append("*")
    return values, rows


@settings(max_examples=60, deadline=None)
@given(nested_partitions())
def test_valid_hierarchies_parse_monotonic(data: tuple[list[str], list[list[str]]]) -> None:
    values, rows = data
    text = "\n".join(";".join(row) for row in rows)
    hierarchy = parse_arx_hierarchy(text, "c", values, "h.csv")
    assert hierarchy.levels == len(rows[0])
    for level in range(1, hierarchy.levels):
        labels = [hierarchy.labels[level][c] for c in hierarchy.maps[level]]
        assert labels == [row[level] for row in rows]
        # Values sharing a group at one level share it at the next.
        lower, upper = hierarchy.maps[level - 1], hierarchy.maps[level]
        for group in np.unique(lower):
            assert np.unique(upper[lower == group]).size == 1


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_is_parsed_or_rejected_cleanly(text: str) -> None:
    try:
        parse_arx_hierarchy(text, "c", ["a"], "h.csv")
    except InputError as exc:
        assert exc.message.startswith("h.csv")


@settings(max_examples=40, deadline=None)
@given(nested_partitions())
def test_arx_csv_round_trip(data: tuple[list[str], list[list[str]]]) -> None:
    from labwarden.privacy.hierarchies import to_arx_csv

    values, rows = data
    hierarchy = parse_arx_hierarchy("\n".join(";".join(r) for r in rows), "c", values, "h")
    again = parse_arx_hierarchy(to_arx_csv(hierarchy), "c", values, "h2")
    assert again.labels == hierarchy.labels
    assert all((a == b).all() for a, b in zip(again.maps, hierarchy.maps, strict=True))
