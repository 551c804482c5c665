"""A leaked table is untrusted bytes: any content gives a report or a clear input error."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.core.errors import InputError
from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.trace.fingerprint.frame import from_arrow
from labwarden.trace.fingerprint.normalize import pairs_of
from labwarden.trace.service import trace_path

_CELL = st.text(alphabet='0123456789.-,;[]() abcXYZ\t"', max_size=8)


@settings(max_examples=60)
@given(st.binary(max_size=400))
def test_any_bytes(tmp_path_factory: object, data: bytes) -> None:
    folder = Path(str(tmp_path_factory.mktemp("hostile")))  # type: ignore[attr-defined]
    leaked = folder / "leak.csv"
    leaked.write_bytes(data)
    workspace = Workspace(folder / ".labwarden")
    with Catalog.open(workspace) as catalog:
        try:
            report = trace_path(workspace, catalog, leaked)
        except InputError as exc:
            assert str(leaked) in exc.message
        else:
            assert report.verdict in ("no match", "matched")


@settings(max_examples=80)
@given(
    st.lists(st.tuples(_CELL, _CELL), min_size=1, max_size=30),
    st.lists(st.tuples(_CELL, _CELL), min_size=1, max_size=30),
)
def test_pairing_any_values(left: list[tuple[str, str]], right: list[tuple[str, str]]) -> None:
    import pyarrow as pa

    a = from_arrow(pa.table({"x": [r[0] for r in left], "y": [r[1] for r in left]}))
    b = from_arrow(pa.table({"x": [r[0] for r in right], "Y ": [r[1] for r in right]}))
    for item in pairs_of(a, b):
        for value in a.columns[item.leaked].values + b.columns[item.original].values:
            assert isinstance(item.canon(value), str)
