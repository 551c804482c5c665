"""Load the secret rules from their data files (``data/*.toml``), one table per rule.

A rule names its provider and family, the prefixes (``prefixes``, found case-sensitively
anywhere) or key words (``keywords``, found in the lower-cased line) that must be present before
its expression runs, the validator that confirms the value's structure (checksum, length,
decoding), its sources (``provenance``) and examples that must and must not match. Files load
in name order and rules in file order; where two rules match the same text the first wins, so
specific rules come before the keyword-driven ones.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from importlib import resources
from typing import Any

from labwarden.checks.secrets.interface import Examples, Rule
from labwarden.checks.secrets.validators import VALIDATORS
from labwarden.core.errors import InputError
from labwarden.core.values import Severity

_END = r"(?![A-Za-z0-9_\-])"
DEFAULT_REMEDIATION = "Revoke and rotate the credential, then remove it from the file and history."
_KNOWN = frozenset(
    {
        "id",
        "title",
        "provider",
        "family",
        "severity",
        "pattern",
        "prefixes",
        "keywords",
        "anchored",
        "word_start",
        "word_end",
        "validator",
        "min_entropy",
        "formats",
        "skip_formats",
        "remediation",
        "provenance",
        "examples",
        "tags",
        "owns",
    }
)


def load_catalog(texts: Iterable[tuple[str, str]] | None = None) -> tuple[Rule, ...]:
    """Every rule of the packaged data files (or of ``(name, toml)`` pairs given)."""
    if texts is None:
        folder = resources.files("labwarden.checks.secrets") / "data"
        names = sorted(e.name for e in folder.iterdir() if e.name.endswith(".toml"))
        texts = [(n, (folder / n).read_text(encoding="utf-8")) for n in names]
    rules: list[Rule] = []
    for name, text in texts:
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"secret rules {name}: not valid TOML: {exc}") from exc
        for index, table in enumerate(document.get("rules", [])):
            rules.append(rule_from(table, f"{name} rules[{index}]"))
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise InputError(f"secret rules: the id {rule.id!r} is used twice")
        seen.add(rule.id)
    return tuple(rules)


def rule_from(table: dict[str, Any], where: str) -> Rule:
    """One :class:`Rule` from its TOML table; :class:`InputError` names what is wrong."""
    unknown = set(table) - _KNOWN
    if unknown:
        raise InputError(f"{where}: unknown fields {sorted(unknown)}")
    for required in ("id", "title", "pattern", "severity"):
        if not isinstance(table.get(required), str):
            raise InputError(f"{where}: {required!r} must be a string")
    where = f"{where} ({table['id']})"
    prefixes, keywords = table.get("prefixes", []), table.get("keywords", [])
    if bool(prefixes) == bool(keywords):
        raise InputError(f"{where}: give either prefixes or keywords")
    if keywords and any(k != k.lower() for k in keywords):
        raise InputError(f"{where}: keywords are matched in lower case; write them so")
    validator_name = table.get("validator", "")
    if validator_name and validator_name not in VALIDATORS:
        raise InputError(f"{where}: no validator named {validator_name!r}")
    return Rule(
        id=table["id"],
        title=table["title"],
        severity=_severity(table["severity"], where),
        pattern=_compile(table["pattern"] + (_END if table.get("word_end") else ""), where),
        anchors=tuple(prefixes or keywords),
        scope="text" if prefixes else "line",
        validator=VALIDATORS[validator_name] if validator_name else None,
        validator_name=validator_name,
        formats=frozenset(table.get("formats", ())),
        skip_formats=frozenset(table.get("skip_formats", ())),
        word_start=bool(table.get("word_start", False)),
        anchored=bool(table.get("anchored", False)),
        min_entropy=float(table.get("min_entropy", 0.0)),
        remediation=table.get("remediation", DEFAULT_REMEDIATION),
        tags=tuple(table.get("tags", ())),
        provider=table.get("provider", ""),
        family=table.get("family", table["id"]),
        provenance=tuple(table.get("provenance", ())),
        examples=_examples(table.get("examples", {}), where),
        owns=_owns(table.get("owns"), where),
    )


def _severity(name: str, where: str) -> Severity:
    try:
        return Severity(name)
    except ValueError:
        raise InputError(f"{where}: unknown severity {name!r}") from None


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise InputError(f"{where}: the pattern does not compile: {exc}") from exc
    if "secret" not in compiled.groupindex:
        raise InputError(f"{where}: the pattern has no (?P<secret>...) group")
    return compiled


def _owns(pattern: str | None, where: str) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise InputError(f"{where}: the owns pattern does not compile: {exc}") from exc


def _examples(table: dict[str, Any], where: str) -> Examples:
    match, reject = table.get("match", []), table.get("reject", [])
    if not match:
        raise InputError(f"{where}: every rule needs examples that must match")
    return Examples(tuple(match), tuple(reject), str(table.get("fmt", "")))
