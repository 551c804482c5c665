"""Find secrets in one text: the fast path that every file, cell and column goes through.

Literal anchors decide which rules run at all; keyword rules only look at lines holding a
keyword, so the cost is a few ``str.find`` passes over text without secrets.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ahocorasick_rs import AhoCorasick, BytesAhoCorasick, Implementation

from labwarden.checks.secrets.allowlist import is_lock_file
from labwarden.checks.secrets.decoders import KUBERNETES_SECRET, kubernetes_secret_hits
from labwarden.checks.secrets.filters import shannon_entropy
from labwarden.checks.secrets.generic import KEYWORDS, find_generic, judge
from labwarden.checks.secrets.interface import Hit, Rule
from labwarden.checks.secrets.pairs import MARKERS as PAIR_MARKERS
from labwarden.checks.secrets.pairs import pairs
from labwarden.checks.secrets.rules import RULES
from labwarden.checks.secrets.validators import jwt_detail, private_key_detail
from labwarden.core.values import Severity

ALLOW_MARKER = "labwarden:allow"
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_LONG_LINE = 4096
_BEFORE, _AFTER = 200, 600


def lower_ascii(text: str) -> str:
    """``text`` lower-cased without changing its length (offsets stay valid)."""
    low = text.lower()
    return low if len(low) == len(text) else text.translate(_ASCII_LOWER)


@dataclass(frozen=True, slots=True)
class _Automata:
    """One multi-pattern pass finds every anchor; another every keyword of the lowered text."""

    anchors: tuple[str, ...]
    anchor_bytes: BytesAhoCorasick
    keywords: tuple[str, ...]
    keyword_bytes: BytesAhoCorasick
    by_anchor: dict[str, tuple[int, ...]]
    """The rules (by index) each prefix or keyword triggers."""
    by_format: dict[str, tuple[int, ...]]
    """Rules limited to some formats, by format: they run on every text of it."""
    order: dict[str, int]
    """Each rule's rank: where two rules match the same text, the lower rank wins."""

    def anchors_in(self, text: str) -> dict[str, list[int]]:
        """Where each anchor occurs in ``text``."""
        found = self.anchor_bytes.find_matches_as_indexes(_one_byte_each(text), overlapping=True)
        at: dict[str, list[int]] = {}
        for i, start, _ in found:
            at.setdefault(self.anchors[i], []).append(start)
        return at

    def keywords_in(self, lowered: str) -> dict[str, list[int]]:
        """Where each keyword occurs in ``lowered``."""
        found = self.keyword_bytes.find_matches_as_indexes(
            _one_byte_each(lowered), overlapping=True
        )
        at: dict[str, list[int]] = {}
        for i, start, _ in found:
            at.setdefault(self.keywords[i], []).append(start)
        return at


def _one_byte_each(text: str) -> bytes:
    """``text`` as bytes with every non-ASCII character one ``?``: byte offsets are character
    offsets, and the ASCII anchors and keywords match exactly where they did."""
    return text.encode("ascii", "replace")


@lru_cache(maxsize=8)
def _automata(rules: tuple[Rule, ...]) -> _Automata:
    everywhere = [r for r in rules if not r.formats]
    anchors = tuple(sorted({a for r in everywhere if r.scope == "text" for a in r.anchors}))
    keywords = tuple(
        sorted(
            {a for r in everywhere if r.scope == "line" for a in r.anchors}
            | set(KEYWORDS)
            | set(PAIR_MARKERS)
        )
    )
    by_anchor: dict[str, list[int]] = {}
    by_format: dict[str, list[int]] = {}
    for index, rule in enumerate(rules):
        for fmt in rule.formats:
            by_format.setdefault(fmt, []).append(index)
        for anchor in () if rule.formats else rule.anchors:
            by_anchor.setdefault(anchor, []).append(index)
    dfa = Implementation.DFA  # larger to build, three times faster to search than the NFA
    return _Automata(
        anchors,
        BytesAhoCorasick([a.encode() for a in anchors], implementation=dfa),
        keywords,
        BytesAhoCorasick([k.encode() for k in keywords], implementation=dfa),
        {k: tuple(v) for k, v in by_anchor.items()},
        {k: tuple(v) for k, v in by_format.items()},
        # decoded values rank after every rule and before the generic ones
        {rule.id: i for i, rule in enumerate((*rules, KUBERNETES_SECRET))},
    )


_DEFAULT = _automata(RULES)


def candidate_lines(lowered: str, keywords: Iterable[str]) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of the lines that hold any of ``keywords``, in order."""
    search = AhoCorasick(list(keywords))
    positions = sorted(
        start for _, start, _ in search.find_matches_as_indexes(lowered, overlapping=True)
    )
    return lines_at(lowered, positions)


def lines_at(lowered: str, positions: list[int]) -> list[tuple[int, int]]:
    """The lines holding the sorted offsets ``positions`` (windows around them in long lines)."""
    spans: list[tuple[int, int]] = []
    line_start, line_end = 0, -1
    for pos in positions:
        if pos > line_end:  # a new line: find its bounds once, however many keywords it holds
            line_start = lowered.rfind("\n", 0, pos) + 1
            found = lowered.find("\n", pos)
            line_end = len(lowered) if found < 0 else found
        elif line_end - line_start <= _LONG_LINE:
            continue  # the whole line is taken already
        if line_end - line_start > _LONG_LINE:  # minified JSON, one-line logs: around the keyword
            spans.append((max(line_start, pos - _BEFORE), min(line_end, pos + _AFTER)))
        else:
            spans.append((line_start, line_end))
    return _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones joined, so no text is searched twice."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def scan_text(
    text: str,
    fmt: str = "",
    *,
    rules: Sequence[Rule] = RULES,
    generic: bool = True,
    path: str = "",
) -> list[Hit]:
    """Every secret in ``text`` (a file of format ``fmt`` at ``path``), with 1-based lines.

    Lines that carry ``labwarden:allow`` are skipped. Overlapping matches keep the first rule
    in ``rules`` order (specific rules before the generic ones). Values that a format encodes
    (Kubernetes Secret ``data``) are decoded and judged too, and names written apart from
    their values (``- name:`` / ``value:``) are judged as assignments.
    """
    if not text:
        return []
    return _finish(text, _scan(text, fmt, rules, generic, path, nested=False))


def _scan(
    text: str, fmt: str, rules: Sequence[Rule], generic: bool, path: str, *, nested: bool
) -> list[Hit]:
    auto = _DEFAULT if rules is RULES else _automata(tuple(rules))
    lowered = lower_ascii(text)
    at = auto.keywords_in(lowered)
    hits = _rule_hits(text, lowered, fmt, rules, auto, at)
    if generic and not is_lock_file(path):
        positions = sorted(p for a in KEYWORDS for p in at.get(a, ()))
        spans = lines_at(lowered, positions)
        for rule, value, start, end, detail in find_generic(text, spans, fmt):
            hits.append(Hit(rule, value, start, end, detail=detail))
    if generic and not nested:
        hits.extend(_pair_hits(text, rules, at))
        if "Secret" in text:
            hits.extend(kubernetes_secret_hits(text, _decoded_hit))
    return _resolve_overlaps(hits, auto.order)


def _pair_hits(text: str, rules: Sequence[Rule], at: dict[str, list[int]]) -> Iterator[Hit]:
    """Names written apart from their values, judged as ``NAME=value``."""
    for name, value, offset in pairs(text, at):
        shift = offset - len(name) - 1
        for hit in _scan(f"{name}={value}", "dotenv", rules, True, "", nested=True):
            if hit.start > len(name):
                yield dataclasses.replace(hit, start=hit.start + shift, end=hit.end + shift)


def _rule_hits(
    text: str,
    lowered: str,
    fmt: str,
    rules: Sequence[Rule],
    auto: _Automata,
    at: dict[str, list[int]],
) -> list[Hit]:
    """Hits of the rules whose prefixes or keywords occur (each rule once, in rule order)."""
    present = auto.anchors_in(text)
    triggered: set[int] = set(auto.by_format.get(fmt, ()))
    for anchor in (*present, *at):
        triggered.update(auto.by_anchor.get(anchor, ()))
    found: list[Hit | None] = []
    for index in sorted(triggered):
        rule = rules[index]
        if fmt in rule.skip_formats:
            continue
        found.extend(_confirm(rule, m) for m in _matches(rule, text, lowered, present, at))
    return [h for h in found if h is not None]


def _matches(
    rule: Rule,
    text: str,
    lowered: str,
    present: dict[str, list[int]],
    at: dict[str, list[int]],
) -> Iterator[re.Match[str]]:
    if rule.formats:  # credential files are small: the whole text
        yield from rule.pattern.finditer(text)
    elif rule.scope == "line":
        positions = sorted(p for a in rule.anchors for p in at.get(a, ()))
        for start, end in lines_at(lowered, positions):
            yield from rule.pattern.finditer(text, start, end)
    elif rule.anchored:
        for start in sorted({p for a in rule.anchors for p in present.get(a, ())}):
            match = rule.pattern.match(text, start)
            if match is not None:
                yield match
    else:
        yield from rule.pattern.finditer(text)


def _decoded_hit(decoded: str, name: str) -> tuple[Rule, str, str] | None:
    """The rule a decoded value breaks: a provider's, else the generic judgement of its key."""
    for hit in scan_text(decoded, "text", generic=False):
        return hit.rule, hit.value, hit.detail
    verdict = judge(name, decoded.strip())
    if verdict is None:
        return None
    return KUBERNETES_SECRET, decoded.strip(), verdict[1]


def _confirm(rule: Rule, match: re.Match[str]) -> Hit | None:
    value = match.group("secret")
    start = match.start("secret")
    if rule.word_start and start > 0 and match.string[start - 1] in _WORD_CHARS:
        return None
    if rule.min_entropy and shannon_entropy(value) < rule.min_entropy:
        return None
    if rule.validator is not None and rule.validator(value, match) is not None:
        return None
    detail, severity = _detail(rule, value)
    return Hit(rule, value, start, match.end("secret"), detail=detail, severity=severity)


def _detail(rule: Rule, value: str) -> tuple[str, Severity | None]:
    if rule.id == "private-key":
        kind, encrypted = private_key_detail(value)
        state = "passphrase-protected" if encrypted else "unencrypted"
        return f"{kind}, {state}", Severity.MEDIUM if encrypted else None
    if rule.id == "jwt":
        return jwt_detail(value), None
    if rule.validator is not None:
        return f"structure validated ({rule.validator_name})", None
    return "", None


def _resolve_overlaps(hits: list[Hit], order: dict[str, int]) -> list[Hit]:
    if len(hits) < 2:
        return hits
    ranked = sorted(hits, key=lambda h: (order.get(h.rule.id, len(order)), h.start))
    kept: list[Hit] = []
    for hit in ranked:
        if any(hit.start < k.end and k.start < hit.end for k in kept):
            continue
        kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def _finish(text: str, hits: list[Hit]) -> list[Hit]:
    """Number the lines and drop hits on lines marked ``labwarden:allow``."""
    out: list[Hit] = []
    line, pos = 1, 0
    for hit in hits:
        line += text.count("\n", pos, hit.start)
        pos = hit.start
        start = text.rfind("\n", 0, hit.start) + 1
        end = text.find("\n", hit.start)
        if ALLOW_MARKER in text[start : end if end >= 0 else len(text)]:
            continue
        out.append(dataclasses.replace(hit, line=line))
    return out
