"""Package names one edit away from a popular one (``pytorch-lightnig``, ``reqeusts``): the
popular list is data (``data/popular.txt``); a name that is itself popular is never reported."""

from __future__ import annotations

from functools import cache
from importlib import resources

from labwarden.checks.code.interface import normalize_name

MIN_LENGTH = 4
"""Popular names shorter than this are not compared (every short name is near some other)."""


@cache
def popular() -> tuple[frozenset[str], dict[int, tuple[str, ...]]]:
    """The popular names, and those names by length."""
    text = resources.files("labwarden.checks.code").joinpath("data/popular.txt").read_text("utf-8")
    names = [n.strip() for n in text.splitlines() if n.strip() and not n.startswith("#")]
    by_length: dict[int, list[str]] = {}
    for name in names:
        if len(name) >= MIN_LENGTH:
            by_length.setdefault(len(name), []).append(name)
    return frozenset(names), {k: tuple(v) for k, v in by_length.items()}


def one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by one insertion, deletion, substitution or swap of two
    adjacent characters (optimal string alignment distance 1)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    for i, (x, y) in enumerate(zip(short, long, strict=False)):
        if x != y:
            return short[i:] == long[i + 1 :]
    return True


def resembles(name: str) -> str | None:
    """The popular name that ``name`` is one edit away from, if ``name`` is not popular itself."""
    key = normalize_name(name)
    names, by_length = popular()
    if key in names:
        return None
    squashed = key.replace("-", "")
    for length in (len(key) - 1, len(key), len(key) + 1):
        for candidate in by_length.get(length, ()):
            if one_edit(key, candidate):
                return candidate
    # "scikitlearn" for "scikit-learn": the same letters with separators dropped.
    for length in range(len(squashed), len(squashed) + 4):
        for candidate in by_length.get(length, ()):
            if "-" in candidate and candidate.replace("-", "") == squashed:
                return candidate
    return None
