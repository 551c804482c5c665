"""JSON documents written piece by piece: long lists are encoded one item at a time, so that a
report of thousands of findings never exists whole in memory (as one string, or as a list of
dictionaries). The text is the same as ``json.dumps(document, indent=2, default=str)``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

_INDENT = "  "


def _nested(value: Any, depth: int) -> str:
    """``value`` as indented JSON, its lines shifted ``depth`` levels (JSON strings never hold a
    raw newline, so every newline is a line of the layout)."""
    return json.dumps(value, indent=2, default=str).replace("\n", "\n" + _INDENT * depth)


def write_json(out: TextIO, head: Mapping[str, Any], lists: Mapping[str, Iterable[Any]]) -> None:
    """Write one object, ``head``'s members then ``lists``' (each list drawn item by item), and a
    final newline."""
    first = True
    for key, value in head.items():
        out.write(("{\n" if first else ",\n") + _INDENT + json.dumps(key) + ": ")
        out.write(_nested(value, 1))
        first = False
    for key, items in lists.items():
        out.write(("{\n" if first else ",\n") + _INDENT + json.dumps(key) + ": ")
        _write_list(out, items)
        first = False
    out.write("{}\n" if first else "\n}\n")


def _write_list(out: TextIO, items: Iterable[Any]) -> None:
    empty = True
    for item in items:
        out.write(("[\n" if empty else ",\n") + _INDENT * 2 + _nested(item, 2))
        empty = False
    out.write("[]" if empty else "\n" + _INDENT + "]")
