"""Whether a version is affected, per the OSV schema: ``versions`` lists and ``ranges`` of
type ``ECOSYSTEM`` (PEP 440 for PyPI, through :mod:`packaging`) and ``SEMVER`` (SemVer 2.0),
with ``introduced``, ``fixed``, ``last_affected`` and ``limit`` events.

``GIT`` ranges name commits and cannot be judged without the repository; they are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cmp_to_key
from typing import Any

from packaging.version import InvalidVersion, Version

from labwarden.checks.code.interface import normalize_name

Key = Callable[[str], Any]
"""Turns a version string into something that compares (raises ``ValueError`` when invalid)."""

_SEMVER = re.compile(
    r"^v?(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$"
)


class SemVer:
    """A SemVer 2.0 version ordered by precedence (build metadata ignored)."""

    __slots__ = ("core", "pre")

    def __init__(self, text: str) -> None:
        found = _SEMVER.match(text.strip())
        if not found:
            raise ValueError(f"not a SemVer version: {text!r}")
        self.core = (int(found["major"]), int(found["minor"]), int(found["patch"]))
        self.pre: tuple[str, ...] = tuple(found["pre"].split(".")) if found["pre"] else ()

    def _cmp(self, other: SemVer) -> int:
        if self.core != other.core:
            return -1 if self.core < other.core else 1
        if self.pre == other.pre:
            return 0
        if not self.pre or not other.pre:
            return 1 if not self.pre else -1  # a release follows its pre-releases
        for mine, theirs in zip(self.pre, other.pre, strict=False):
            if mine == theirs:
                continue
            return _identifier_cmp(mine, theirs)
        return -1 if len(self.pre) < len(other.pre) else 1

    def __lt__(self, other: SemVer) -> bool:
        return self._cmp(other) < 0

    def __le__(self, other: SemVer) -> bool:
        return self._cmp(other) <= 0

    def __gt__(self, other: SemVer) -> bool:
        return self._cmp(other) > 0

    def __ge__(self, other: SemVer) -> bool:
        return self._cmp(other) >= 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SemVer) and self._cmp(other) == 0

    def __hash__(self) -> int:
        return hash((self.core, self.pre))


def _identifier_cmp(a: str, b: str) -> int:
    if a.isdigit() and b.isdigit():
        return (int(a) > int(b)) - (int(a) < int(b))
    if a.isdigit() != b.isdigit():
        return -1 if a.isdigit() else 1  # numeric identifiers have lower precedence
    return (a > b) - (a < b)


def pep440(text: str) -> Version:
    """A PEP 440 version; ``ValueError`` when the text is not one."""
    try:
        return Version(text)
    except InvalidVersion as exc:
        raise ValueError(str(exc)) from exc


def key_for(range_type: str, ecosystem: str) -> Key | None:
    """How versions of a range compare, or ``None`` when labwarden cannot judge them."""
    if range_type == "SEMVER":
        return SemVer
    if range_type == "ECOSYSTEM" and ecosystem.split(":", 1)[0] == "PyPI":
        return pep440
    return None


_ORDER = {"introduced": 0, "fixed": 1, "last_affected": 2, "limit": 3}


def _sorted_events(events: Sequence[dict[str, Any]], key: Key) -> list[tuple[str, Any]]:
    parsed: list[tuple[str, Any]] = []
    for event in events:
        if not isinstance(event, dict):
            continue
        for kind in _ORDER:
            value = event.get(kind)
            if not isinstance(value, str):
                continue
            if kind == "introduced" and value == "0":
                parsed.append((kind, None))  # before every version
            elif kind == "limit" and value == "*":
                parsed.append((kind, "*"))
            else:
                parsed.append((kind, key(value)))

    def compare(a: tuple[str, Any], b: tuple[str, Any]) -> int:
        if a[1] is None or b[1] is None or a[1] == "*" or b[1] == "*":
            return _rank(a) - _rank(b)
        if a[1] != b[1]:
            return -1 if a[1] < b[1] else 1
        return _ORDER[a[0]] - _ORDER[b[0]]

    return sorted(parsed, key=cmp_to_key(compare))


def _rank(event: tuple[str, Any]) -> int:
    if event[1] is None:
        return -1
    return 1 if event[1] == "*" else 0


def in_range(version: str, events: Sequence[dict[str, Any]], key: Key) -> bool:
    """Whether ``version`` is affected by one range's ``events``.

    Raises ``ValueError`` when ``version`` or an event is not a valid version of the range type.
    """
    current = key(version)
    ordered = _sorted_events(events, key)
    limits = [value for kind, value in ordered if kind == "limit"]
    if limits and not any(value == "*" or current < value for value in limits):
        return False
    affected = False
    for kind, value in ordered:
        if kind == "introduced" and (value is None or current >= value):
            affected = True
        elif (kind == "fixed" and current >= value) or (
            kind == "last_affected" and current > value
        ):
            affected = False
    return affected


def same_version(a: str, b: str, ecosystem: str) -> bool:
    """Whether two version strings name the same version (PEP 440 equality for PyPI)."""
    if a == b:
        return True
    if ecosystem.split(":", 1)[0] == "PyPI":
        try:
            return Version(a) == Version(b)
        except InvalidVersion:
            return False
    return False


def affects(affected: dict[str, Any], version: str, ecosystem: str) -> bool:
    """Whether one ``affected`` entry of an advisory covers ``version``."""
    versions = affected.get("versions")
    if isinstance(versions, list) and any(
        isinstance(v, str) and same_version(v, version, ecosystem) for v in versions
    ):
        return True
    for item in affected.get("ranges") or []:
        if not isinstance(item, dict):
            continue
        key = key_for(str(item.get("type", "")), ecosystem)
        events = item.get("events")
        if key is None or not isinstance(events, list):
            continue
        try:
            if in_range(version, events, key):
                return True
        except (ValueError, TypeError):
            continue  # a version the range type cannot order: judged by the lists alone
    return False


def package_key(ecosystem: str, name: str) -> tuple[str, str]:
    """How the database indexes a package: ecosystem without suffix, normalized name."""
    base = ecosystem.split(":", 1)[0]
    return base, normalize_name(name) if base == "PyPI" else name.lower()
