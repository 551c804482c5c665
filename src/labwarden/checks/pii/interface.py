"""What every recognizer of the PII check works with: a document, settings, and the spans it finds.

A recognizer (a *finder*) is a function ``find(doc) -> Iterable[Span]``: it reads ``doc.text``
(and may ask ``doc.lines_with(...)`` for the lines holding one of its cue words, found once for
all recognizers), and yields every entity it believes in with a confidence and the evidence that
raised it. :func:`labwarden.checks.pii.entities.find_entities` runs every finder, settles overlaps
(the higher confidence wins) and drops spans below ``settings.min_confidence``. Table cells and
free text go through the same finders, so that columns and prose agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

NAME = "pii"
"""The check's name: ``labwarden inspect pii`` and the ``check`` of its findings."""

DEFAULT_REGIONS = (
    "DK",
    "SE",
    "NO",
    "FI",
    "IS",
    "DE",
    "NL",
    "BE",
    "FR",
    "ES",
    "IT",
    "PL",
    "AT",
    "CH",
    "IE",
    "GB",
    "US",
    "CA",
)
"""Phone-number regions tried for numbers written without a country code: the countries where
the trials run (Nordic, EU, UK, North America). A workspace narrows or widens them in its policy
(``[pii] regions``)."""


@dataclass(frozen=True, slots=True)
class Span:
    """One entity found in a text: its type, where, how sure, and why."""

    entity: str
    start: int
    end: int
    text: str
    confidence: float = 1.0
    """0.0-1.0: a validated checksum near its cue word is near 1, a bare name guess near 0.5."""
    evidence: str = ""
    """What raised it: ``cue word 'phone'; valid DK number``, ``given name + surname``."""


class NerBackend(Protocol):
    """A statistical named-entity recognizer the user installed (spaCy or GLiNER model)."""

    name: str

    def spans(self, text: str) -> Iterable[Span]:
        """Person, place and organization spans in ``text``."""
        ...


@dataclass(frozen=True, slots=True)
class Settings:
    """How the recognizers run: phone regions, the reporting threshold, an optional NER model."""

    regions: tuple[str, ...] = DEFAULT_REGIONS
    min_confidence: float = 0.5
    ner: NerBackend | None = None


@dataclass(slots=True)
class Document:
    """A text under inspection, lower-cased once, with the positions of every cue word."""

    text: str
    lowered: str
    settings: Settings
    cues: dict[str, list[int]] = field(default_factory=dict)
    """Cue word -> start offsets in ``lowered`` (found in one multi-pattern pass)."""
    line_of: Callable[[Sequence[int]], list[tuple[int, int]]] | None = None

    def lines_with(self, words: Iterable[str]) -> list[tuple[int, int]]:
        """The ``(start, end)`` of every line holding one of ``words`` (cue words), merged."""
        positions = sorted(p for w in words for p in self.cues.get(w, ()))
        if not positions:
            return []
        if self.line_of is None:
            return [(0, len(self.text))]
        return self.line_of(positions)

    def line_start(self, pos: int, reach: int = 256) -> int:
        """Where the line holding ``pos`` starts, looking back at most ``reach`` characters
        (a log written as one long line must not make every look-back scan it all)."""
        floor = max(0, pos - reach)
        found = self.text.rfind("\n", floor, pos)
        return found + 1 if found >= 0 else floor

    def line_end(self, pos: int, reach: int = 256) -> int:
        """Where the line holding ``pos`` ends, looking ahead at most ``reach`` characters."""
        ceiling = min(len(self.text), pos + reach)
        found = self.text.find("\n", pos, ceiling)
        return found if found >= 0 else ceiling

    def has(self, *words: str) -> bool:
        """Whether any of ``words`` occurs (as found by the cue pass)."""
        return any(w in self.cues for w in words)


Finder = Callable[[Document], Iterable[Span]]
"""A recognizer: every span it finds in a document."""


@dataclass(frozen=True, slots=True)
class FinderSpec:
    """A recognizer and the cue words it asks the document to locate."""

    name: str
    find: Finder
    cues: tuple[str, ...] = ()
    """Lower-case words whose positions the finder reads through :meth:`Document.lines_with`."""
