"""JSON from untrusted bytes: nesting too deep for the decoder is a decode error, not a crash.

Python's decoder recurses once per nesting level, so ``[[[[...]]]]`` a hundred thousand deep
raises :class:`RecursionError`; :func:`loads` and :func:`raw_decode` raise
:class:`json.JSONDecodeError` instead, which every caller already handles as bad input.
"""

from __future__ import annotations

import json
from typing import Any


def _too_deep(document: str | bytes | bytearray) -> json.JSONDecodeError:
    text = document if isinstance(document, str) else "<bytes>"
    return json.JSONDecodeError("JSON nested too deeply", text, 0)


def loads(document: str | bytes | bytearray, **options: Any) -> Any:
    """:func:`json.loads`, with too deep nesting reported as :class:`json.JSONDecodeError`."""
    try:
        return json.loads(document, **options)
    except RecursionError:
        raise _too_deep(document) from None


def raw_decode(text: str, start: int = 0) -> tuple[Any, int]:
    """:meth:`json.JSONDecoder.raw_decode`, with too deep nesting as a decode error."""
    try:
        return json.JSONDecoder().raw_decode(text, start)
    except RecursionError:
        raise _too_deep(text) from None
