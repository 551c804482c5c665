"""Find personal and health data in a text: every recognizer, overlaps settled, one list.

Structure first (validated identifiers, e-mail, cards, IBANs), then cue words next to the value
(``mrn=``, ``dob:``, ``patient_name=``), then lexicons and word shape (names, places). Every
recognizer reports a confidence; where spans overlap the more confident one wins, and spans
below the settings' threshold are dropped. Regular expressions, checksums, word lists and, for
phone numbers and US addresses, the metadata and model that ship inside their packages: nothing
is downloaded. An NER model the user installed adds its spans through the same interface.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from ahocorasick_rs import AhoCorasick

from labwarden.checks.pii import contact, dates, health, identifiers, names, places
from labwarden.checks.pii.catalog import CATEGORY, DIRECT, LABELS, NATIONAL_IDS, QUASI, SENSITIVE
from labwarden.checks.pii.interface import Document, FinderSpec, Settings, Span
from labwarden.checks.pii.lexicon import NOT_SURNAMES, given_names
from labwarden.checks.pii.validators import postcode
from labwarden.checks.secrets.scanner import lower_ascii

__all__ = [
    "CATEGORY",
    "DIRECT",
    "LABELS",
    "NATIONAL_IDS",
    "QUASI",
    "SENSITIVE",
    "Span",
    "find_entities",
    "mask",
]

_KEY = re.compile(
    r"(?P<key>(?i:\b(?:patient|subject|participant|person|full|first|last|given|family|sur|"
    r"customer|contact|next_of_kin|caller|reporter|nurse|physician|doctor|user)?[ _\-]?name))"
    r"[\"']?\s*[:=]\s*[\"']?(?P<value>[A-ZÆØÅÄÖÜÉ][a-zæøåäöüéèá'\-]+"
    r"(?:[ ]+[A-ZÆØÅÄÖÜÉ][a-zæøåäöüéèá'\-]+){0,3})"
)
_PERSON_KEY = re.compile(
    r"(?i)(patient|subject|participant|person|full|first|last|given|family|sur|customer|"
    r"contact|next_of_kin|kin|caller|reporter|nurse|physician|doctor)[ _\-]?name"
)
_POSTCODE = re.compile(
    r"(?i)\b(?:post ?code|postal ?code|zip(?: ?code)?|postnummer|postnr|plz|postcode)[\"']?\s*"
    r"[:=]?\s*[\"']?(?P<value>[A-Z0-9]{2,4}(?: ?[A-Z0-9]{3})?(?:-\d{4})?)\b"
)


def _keyed_names(doc: Document) -> Iterator[Span]:
    """``patient_name="Maria Jensen"``; a bare ``name=`` needs a known given name."""
    for begin, end in doc.lines_with(("name",)):
        for m in _KEY.finditer(doc.text, begin, end):
            tokens = m.group("value").split()
            if any(t.lower() in NOT_SURNAMES for t in tokens):
                continue
            keyed = bool(_PERSON_KEY.search(m.group("key")))
            if keyed or (len(tokens) >= 2 and tokens[0].lower() in given_names()):
                value = m.group("value")
                yield Span("PERSON", m.start("value"), m.end("value"), value, 0.95, "name key")


def _keyed_postcodes(doc: Document) -> Iterator[Span]:
    for begin, end in doc.lines_with(("post", "zip", "plz")):
        for m in _POSTCODE.finditer(doc.text, begin, end):
            if postcode(m.group("value")):
                value = m.group("value")
                yield Span("POSTCODE", m.start("value"), m.end("value"), value, 0.9, "cue word")


FINDERS: tuple[FinderSpec, ...] = (
    *identifiers.FINDERS,
    *contact.FINDERS,
    *dates.FINDERS,
    *health.FINDERS,
    FinderSpec("keyed-names", _keyed_names, ("name",)),
    FinderSpec("keyed-postcodes", _keyed_postcodes, ("post", "zip", "plz")),
    *places.FINDERS,
    *names.FINDERS,
)
"""Every recognizer; on equal confidence the earlier one wins an overlap."""


@dataclass(frozen=True, slots=True)
class _Cues:
    words: tuple[str, ...]
    automaton: AhoCorasick


@cache
def _cues() -> _Cues:
    words = tuple(sorted({c for f in FINDERS for c in f.cues}))
    return _Cues(words, AhoCorasick(words))


LONG_LINE = 4096
"""A line longer than this (minified JSON, one-line logs) is read in windows around each cue."""
AROUND = 512


def lines_at(text: str, positions: Iterable[int]) -> list[tuple[int, int]]:
    """The lines holding the sorted offsets ``positions``, merged; windows around them in long
    lines. Every look-back and look-ahead is bounded, so one huge line costs linear time."""
    spans: list[tuple[int, int]] = []
    window_end = -1
    """Where the last window ends (-1: the last span is a whole line)."""
    for pos in positions:
        if spans and pos < spans[-1][1]:
            if window_end >= 0 and pos + AROUND > window_end:
                window_end = min(len(text), pos + AROUND)
                spans[-1] = (spans[-1][0], window_end)
            continue
        floor, ceiling = max(0, pos - LONG_LINE), min(len(text), pos + LONG_LINE)
        start, end = text.rfind("\n", floor, pos), text.find("\n", pos, ceiling)
        if (start < 0 < floor) or (end < 0 and ceiling < len(text)):
            span = (max(0, pos - AROUND), min(len(text), pos + AROUND))
            window_end = span[1]
        else:
            span = (start + 1, end if end >= 0 else len(text))
            window_end = -1
        if spans and span[0] <= spans[-1][1]:
            span = (spans.pop()[0], span[1])
        spans.append(span)
    return spans


def document(text: str, settings: Settings) -> Document:
    """``text`` ready for the recognizers: lower-cased once, every cue word located."""
    lowered = lower_ascii(text)
    cues = _cues()
    at: dict[str, list[int]] = {}
    for index, start, _ in cues.automaton.find_matches_as_indexes(lowered, overlapping=True):
        at.setdefault(cues.words[index], []).append(start)
    return Document(
        text, lowered, settings, at, lambda positions: lines_at(lowered, list(positions))
    )


def candidates(doc: Document) -> Iterator[tuple[int, Span]]:
    """Every span every recognizer proposes, with the recognizer's rank."""
    for rank, finder in enumerate(FINDERS):
        for span in finder.find(doc):
            yield rank, span
    if doc.settings.ner is not None:
        for span in doc.settings.ner.spans(doc.text):
            yield len(FINDERS), span


def settle(proposed: Iterable[tuple[int, Span]], threshold: float) -> list[Span]:
    """Non-overlapping spans, the most confident first (then the earlier recognizer), sorted."""
    ranked = sorted(
        ((r, s) for r, s in proposed if s.confidence >= threshold and s.end > s.start),
        key=lambda rs: (-rs[1].confidence, rs[0], rs[1].start - rs[1].end),
    )
    taken = _Taken()
    kept = [span for _, span in ranked if taken.add(span.start, span.end)]
    kept.sort(key=lambda s: s.start)
    return kept


def find_entities(text: str, settings: Settings | None = None) -> list[Span]:
    """Every entity in ``text`` at or above the reporting threshold, in text order."""
    settings = settings or Settings()
    return settle(candidates(document(text, settings)), settings.min_confidence)


class _Taken:
    """Non-overlapping spans, kept sorted so that each test is a binary search."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> bool:
        """Take ``[start, end)`` unless it overlaps a span already taken."""
        i = bisect.bisect_right(self.starts, start)
        if i and self.ends[i - 1] > start:
            return False
        if i < len(self.starts) and self.starts[i] < end:
            return False
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        return True


def mask(text: str) -> str:
    """``M**** J*****``: the first character of each word, the rest masked."""
    return " ".join(w[:1] + "*" * (len(w) - 1) for w in text.split()) or "*"
