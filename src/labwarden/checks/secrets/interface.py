"""What the secrets scanner works with: rules (data) and hits (what a rule matched)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from labwarden.core.values import Severity

Validator = Callable[[str, "re.Match[str]"], "str | None"]
"""Checks a matched value; returns ``None`` when it is a real secret, else why it is not."""


@dataclass(frozen=True, slots=True)
class Examples:
    """Lines a rule must find (``match``) and lines on which nothing may be found (``reject``)."""

    match: tuple[str, ...] = ()
    reject: tuple[str, ...] = ()
    fmt: str = ""
    """The file format the examples are scanned as (``""``: any)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of secret: how to find it cheaply, match it, and confirm its structure.

    ``anchors`` are literal strings of which at least one must occur before the regular
    expression runs; with ``scope="line"`` they are keywords searched in the lower-cased text
    and the expression runs only on lines holding one, with ``scope="text"`` they are prefixes
    searched case-sensitively and the expression runs over the whole text (or, when
    ``anchored``, only where a prefix occurs). The expression names the secret with the group
    ``secret``.
    """

    id: str
    title: str
    severity: Severity
    pattern: re.Pattern[str]
    anchors: tuple[str, ...]
    scope: str = "text"
    validator: Validator | None = None
    formats: frozenset[str] = frozenset()
    """Only files of these formats (empty: every format)."""
    skip_formats: frozenset[str] = frozenset()
    """Never files of these formats (AWS key IDs are identifiers in CloudTrail records)."""
    word_start: bool = False
    """The secret must not continue a word (checked outside the expression, which then starts
    with a literal that the regular-expression engine searches for quickly)."""
    remediation: str = "Revoke and rotate the credential, then remove it from the file and history."
    tags: tuple[str, ...] = field(default=())
    provider: str = ""
    family: str = ""
    """The family the rule belongs to (``slack``, ``vault``): what benchmarks score per family."""
    min_entropy: float = 0.0
    """Shannon entropy (bits per character) the secret must reach."""
    anchored: bool = False
    """The expression starts at the prefix: it is tried only where a prefix occurs."""
    validator_name: str = ""
    provenance: tuple[str, ...] = ()
    """Where the format comes from: provider documentation, peer detectors."""
    examples: Examples = field(default_factory=Examples)
    owns: re.Pattern[str] | None = None
    """Key names that hold this provider's secret: a value under such a name that the rule
    rejects (wrong length, bad checksum) is not reported by the generic rule either."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One secret found in one text: where, by which rule, and the raw value (never shown)."""

    rule: Rule
    value: str
    start: int
    end: int
    line: int = 0
    """1-based line within the text unit; set by the scanner."""
    detail: str = ""
    """What structural validation established (``checksum valid``, ``JWT alg=HS256``)."""
    severity: Severity | None = None
    """Overrides the rule's severity (an encrypted private key is less urgent)."""

    @property
    def effective_severity(self) -> Severity:
        """The severity to report."""
        return self.severity or self.rule.severity
