"""Helpers the typed stores share to turn rows into values."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1024)
def _parse_json(text: str) -> Any:
    return json.loads(text)


def json_dict(text: str) -> dict[str, Any]:
    """Parse a JSON object; identical strings (most rows) are parsed once and copied."""
    return dict(_parse_json(text))


def json_list(text: str | None) -> list[str] | None:
    """Parse a JSON list of strings (``None`` stays ``None``); identical strings parsed once."""
    return None if text is None else list(_parse_json(text))


def prefix_bounds(root: str) -> tuple[str, str]:
    """Half-open string range that holds every path strictly below ``root``."""
    base = root.rstrip("/") + "/"
    return base, base[:-1] + "0"  # '0' sorts right after '/'


def marks(count: int) -> str:
    """``?, ?, ...``: ``count`` placeholders."""
    return ", ".join("?" * count)
