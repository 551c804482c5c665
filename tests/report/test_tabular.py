"""Rows rendered as a table show every value as it is, whatever markup-like text it holds."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given
from hypothesis import strategies as st

from labwarden.report.tabular import OutputFormat, render_rows

MARKUP_LIKE = "[]/\\ab:=#@ 'red"


def _text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=MARKUP_LIKE, min_size=1, max_size=max_size).map(str.strip).filter(bool)


@given(value=_text(30), title=_text(8))
def test_a_table_shows_values_and_titles_as_they_are(value: str, title: str) -> None:
    out = io.StringIO()
    rows = [{"name": value, "level": "critical"}]
    render_rows(rows, ["name", "level"], OutputFormat.TABLE, out, title=title)
    shown = out.getvalue()
    assert value in shown and title in shown and "critical" in shown


@given(value=_text(30))
def test_csv_and_json_read_back_the_same_values(value: str) -> None:
    out = io.StringIO()
    render_rows([{"name": value}], ["name"], OutputFormat.CSV, out)
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["name"], [value]]
    out = io.StringIO()
    render_rows([{"name": value}], ["name"], OutputFormat.JSON, out)
    assert json.loads(out.getvalue()) == [{"name": value}]
