"""The streamed JSON writer gives the same text as ``json.dumps(..., indent=2)``."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from labwarden.report.jsonstream import write_json

_SCALARS = st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _dumped(head: dict[str, Any], lists: dict[str, list[Any]]) -> str:
    return json.dumps({**head, **lists}, indent=2, default=str) + "\n"


def _written(head: dict[str, Any], lists: dict[str, list[Any]]) -> str:
    out = io.StringIO()
    write_json(out, head, {k: iter(v) for k, v in lists.items()})
    return out.getvalue()


@given(
    st.dictionaries(st.text(), _VALUES, max_size=4),
    st.dictionaries(st.text(), st.lists(_VALUES, max_size=4), max_size=3),
)
def test_same_text_as_json_dumps(head: dict[str, Any], lists: dict[str, list[Any]]) -> None:
    lists = {k: v for k, v in lists.items() if k not in head}
    assert _written(head, lists) == _dumped(head, lists)


def test_lists_are_drawn_one_item_at_a_time() -> None:
    drawn: list[int] = []
    out = io.StringIO()

    def items() -> Iterator[dict[str, int]]:
        for n in range(3):
            drawn.append(n)
            assert out.getvalue().count('"n"') == n  # the previous items are already written
            yield {"n": n}

    write_json(out, {"scan_id": 1}, {"findings": items()})
    assert drawn == [0, 1, 2]
    assert json.loads(out.getvalue()) == {"scan_id": 1, "findings": [{"n": 0}, {"n": 1}, {"n": 2}]}


def test_empty_document_lists_and_non_json_values() -> None:
    when = datetime(2026, 1, 2, tzinfo=UTC)
    assert _written({}, {}) == "{}\n"
    assert _written({"at": when}, {"notes": []}) == _dumped({"at": when}, {"notes": []})
