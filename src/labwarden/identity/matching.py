"""Wildcards in actions and ARNs, and policy variables in resources and condition values."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_SPECIAL = frozenset({"*", "?", "$"})


@lru_cache(maxsize=16384)
def _compiled(pattern: str, fold: bool) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if fold else 0))


def glob(pattern: str, value: str, *, fold: bool = False) -> bool:
    """Whether ``value`` matches ``pattern`` where ``*`` is any run and ``?`` one character."""
    if pattern == "*":
        return True
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() == value.lower() if fold else pattern == value
    return _compiled(pattern, fold).fullmatch(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    """Whether an ``Action`` entry covers ``action`` (service prefix and name, any case)."""
    return glob(pattern, action, fold=True)


def any_action_matches(patterns: Sequence[str], action: str) -> bool:
    """Whether one of ``patterns`` covers ``action``."""
    return any(action_matches(p, action) for p in patterns)


class UnknownVariable(Exception):
    """A policy variable whose value the request context does not give."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def substitute(text: str, variables: Mapping[str, Sequence[str]]) -> str:
    """Replace ``${key}`` by its single value in ``variables`` (keys in lower case).

    ``${*}``, ``${?}`` and ``${$}`` are the literal characters; ``${key, 'default'}`` uses the
    default when the key is absent. A key the context does not know raises
    :class:`UnknownVariable`, so that the caller can report the statement as undecided.
    """
    if "${" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        body = match.group(1)
        if body in _SPECIAL:
            return body  # matched as a wildcard again: a literal * or ? in an ARN is rare
        key, _, default = body.partition(",")
        values = variables.get(key.strip().lower())
        if values and len(values) == 1:
            return values[0]
        if default:
            return default.strip().strip("'")
        raise UnknownVariable(key.strip())

    return _VARIABLE.sub(replace, text)


def _states_after(pattern: str, prefix: str) -> set[int]:
    """Positions in ``pattern`` reachable after matching all of ``prefix`` (glob NFA)."""

    def close(states: set[int]) -> set[int]:
        out = set(states)
        for s in states:
            k = s
            while k < len(pattern) and pattern[k] == "*":
                k += 1
                out.add(k)
        return out

    states = close({0})
    for char in prefix:
        following: set[int] = set()
        for s in states:
            if s >= len(pattern):
                continue
            symbol = pattern[s]
            if symbol == "*":
                following.add(s)
            elif symbol in ("?", char):
                following.add(s + 1)
        states = close(following)
        if not states:
            break
    return states


def prefix_overlaps(pattern: str, prefix: str) -> bool:
    """Whether some string that starts with ``prefix`` (and goes on) matches ``pattern``."""
    return bool(_states_after(pattern, prefix))


def prefix_covers(pattern: str, prefix: str) -> bool:
    """Whether every string that starts with ``prefix`` matches ``pattern``."""
    return any(set(pattern[s:]) == {"*"} for s in _states_after(pattern, prefix))
