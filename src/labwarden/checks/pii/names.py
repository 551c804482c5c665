"""Person names in free text, from lexicons of many countries and the shape of the words.

A run of capitalized words is read token by token: a given name, a surname, an initial, a
particle (``van``, ``de``), a capitalized word in no list, or a common word. A name starts with a
given name or surname (or any capitalized word right after a title such as ``Dr.``), and its
confidence comes from what it is made of (given name + surname beats given name + unknown word),
from what stands before it (a title, a cue such as ``patient``, ``spoke with``, ``Dear``,
``Regards``) and after it (``said``, ``, 45``), and is lowered when a part is also a common word
("Will", "May", "Page") or the first word only starts a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from labwarden.checks.pii.interface import Document, FinderSpec, Span
from labwarden.checks.pii.lexicon import TITLES, common_words, given_names, surnames


def _letters(test: str) -> str:
    chars = [
        chr(c)
        for r in ((0x41, 0x250), (0x370, 0x400), (0x400, 0x530))
        for c in range(*r)
        if getattr(chr(c), test)() and chr(c).isalpha()
    ]
    return "".join(re.escape(ch) for ch in chars)


UPPER = _letters("isupper")
LOWER = _letters("islower")
_WORD = rf"(?:Mc|Mac|O['’]|D['’])?[{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)?"
_CAPS = rf"[{UPPER}]{{2,}}(?:-[{UPPER}]{{2,}})?"
_PARTICLE = r"(?:van|von|der|den|de|del|della|di|da|dos|du|la|le|af|av|zu|ter|ten|bin|ibn|al|el)"
_PART = rf"(?:{_WORD}|{_CAPS}|[{UPPER}]\.?(?=[ \t])|{_PARTICLE}(?=[ \t]+[{UPPER}]))"
_CANDIDATE = re.compile(
    rf"(?<![\w@./\\\-:#=$])(?:{_WORD}|{_CAPS})(?:[ \t]{{1,2}}{_PART}){{0,4}}(?![\w@]|[.\-/]\w)"
)
_PART_RE = re.compile(_PART)
_PARTICLES = frozenset(_PARTICLE.strip("(?:)").split("|"))

_STRONG_WORDS = """
    patient patienten patiënt pt named called dear hi hello hey hej hallo hoi moi regards thanks
    sincerely signed attn wife husband son daughter mother father sister brother partner nurse
    doctor physician investigator mvh hilsen hälsningar grüßen groet groeten cheers best
    kontaktperson pårørende anhörig angehörige from by cc mr mrs ms it's soy
"""
_STRONG_CUES = frozenset(_STRONG_WORDS.split()) | frozenset(
    {
        "thank you",
        "spoke with",
        "spoke to",
        "talked with",
        "talked to",
        "met with",
        "contact person",
        "next of kin",
        "assigned to",
        "referred by",
        "seen by",
        "it is",
        "this is",
        "hier ist",
        "det er",
        "det är",
        "dit is",
        "c'est",
        "ich bin",
        "ik ben",
        "jeg er",
        "jag är",
    }
)
"""Words (and pairs) that stand before a person's name."""
_WEAK_WORDS = "and og och und en et y e with med mit met for til to"
_WEAK_CUES = frozenset(_WEAK_WORDS.split())
_PUNCT = " \t:,.-;\"'("


def _cues_before(before: str) -> tuple[bool, bool]:
    """Whether the last word (or pair) of ``before`` is a strong or a weak cue."""
    words = before.lower().split()
    if not words:
        return False, False
    last = words[-1].strip(_PUNCT)
    pair = f"{words[-2]} {last}" if len(words) > 1 else ""
    strong = last in _STRONG_CUES or pair in _STRONG_CUES
    weak = not before.endswith((",", ":", ".")) and last in _WEAK_CUES
    return strong, weak


_AFTER_CUE = re.compile(
    r"(?:['’]s\b|\s*(?:said|says|reported|called|wrote|asked|told|is|was|has|had|sagde|sa|"
    r"sagte|zei)\b|\s*\(\s*\d|\s*,\s*(?:\d{1,3}\b|aged?\b|age\b|born\b|dob\b)|\s*<[^>\s]+@)",
    re.IGNORECASE,
)
_AFTER_ID = re.compile(
    r"(?i)\s*[(,]\s*(?:fnr|cpr|dob|d\.o\.b|mrn|ssn|nhs|bsn|hetu|pnr|personnummer|fødselsnummer)\b"
)
"""An identifier right after the words: ``Trofin Crouse (fnr ...)``."""
_SELF_INTRO = re.compile(
    r"(?i)\b(?:my name is|my name's|i am|i'm|im|this is|jeg hedder|mit navn er|jag heter|"
    r"mitt namn är|ich heiße|ich heisse|mein name ist|ik heet|mijn naam is|je m'appelle|me llamo|"
    r"mi chiamo|nimeni on)\s+(?P<first>[^\W\d_]{2,})(?:\s+(?P<last>[^\W\d_]{2,}))?"
)


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int
    end: int
    given: bool
    surname: bool
    common: bool
    initial: bool
    particle: bool

    @property
    def named(self) -> bool:
        return self.given or self.surname

    @property
    def unknown(self) -> bool:
        return not (self.named or self.common or self.initial or self.particle)


@lru_cache(maxsize=65536)
def _kind(text: str) -> tuple[bool, bool, bool, bool, bool]:
    """Given name, surname, common word, initial, particle (words repeat: cached)."""
    word = text.rstrip(".")
    low = word.lower()
    initial = len(word) == 1
    particle = low in _PARTICLES and word.islower()
    caps = word.isupper() and len(word) > 1
    given = low in given_names() and not initial
    surname = low in surnames() and not initial
    common = low in common_words() or (caps and not (given or surname))
    return given, surname, common, initial, particle


def _token(text: str, start: int) -> _Token:
    return _Token(text, start, start + len(text), *_kind(text))


def _tokens(m: re.Match[str]) -> list[_Token]:
    text = m.group(0)
    if " " not in text and "\t" not in text:
        return [_token(text, m.start())]
    base = m.start()
    return [_token(p.group(0), base + p.start()) for p in _PART_RE.finditer(text)]


def _hopeless(text: str) -> bool:
    """A single word that is neither a name nor unknown (``Jul``, ``ERROR``): no name here."""
    if " " in text or "\t" in text:
        return False
    given, surname, common, initial, particle = _kind(text)
    return not (given or surname) and (common or initial or particle)


@dataclass(frozen=True, slots=True)
class _Context:
    title: bool
    strong: bool
    weak: bool
    after: bool
    after_id: bool
    sentence_start: bool
    worded: bool = False
    """The strong cue is a word (``Dear``, ``patient``), not only the line's layout."""


def _context(doc: Document, start: int, end: int, joined: bool = False) -> _Context:
    line_start = doc.line_start(start)
    before = doc.text[max(line_start, start - 40) : start]
    words = before.split()
    last = words[-1].rstrip(".").lower() if words else ""
    title = last in TITLES and before.endswith((" ", "\t"))
    sentence = not before.strip() or before.rstrip()[-1:] in ".!?:;\"'(["
    alone = not before.strip() and not doc.text[end : doc.line_end(end)].strip(" ,.;")
    cue, weak = _cues_before(before.rstrip(" \t"))
    strong = joined or alone or cue
    return _Context(
        title=title,
        strong=strong and not title,
        weak=weak and before.endswith((" ", "\t")),
        after=bool(_AFTER_CUE.match(doc.text, end, min(len(doc.text), end + 40))),
        after_id=bool(_AFTER_ID.match(doc.text, end, min(len(doc.text), end + 40))),
        sentence_start=sentence,
        worded=cue,
    )


def _shape_score(parts: list[_Token]) -> tuple[float, str]:
    """The confidence a name earns from its parts alone."""
    first, rest = parts[0], [p for p in parts[1:] if not (p.initial or p.particle)]
    if not rest:
        return (0.35 if first.named else 0.2), "one name word"
    last_named = any(p.surname for p in rest)
    if first.given and last_named:
        return 0.9, "given name + surname"
    if first.given and any(p.given for p in rest):
        return 0.75, "given names"
    if first.given:
        return 0.75, "given name + capitalized word"
    if first.surname and any(p.given for p in rest):
        return 0.8, "surname + given name"
    if last_named:
        return 0.6, "capitalized word + surname"
    if any(p.initial for p in parts[1:-1]) and parts[-1].unknown:
        return 0.55, "capitalized words around an initial"
    if first.surname:
        return 0.55, "surname + capitalized word"
    return 0.3, "capitalized words"


def _score(parts: list[_Token], ctx: _Context) -> tuple[float, str]:
    confidence, why = _shape_score(parts)
    reasons = [why]
    if any(p.initial for p in parts[1:]):
        confidence += 0.05
    ambiguous = sum(1 for p in parts if p.common and p.named)
    if ambiguous and not (ctx.title or ctx.worded):
        confidence -= 0.15 * ambiguous
        reasons.append("also a common word")
    if ctx.sentence_start and parts[0].common:
        confidence -= 0.1
    if ctx.title:
        confidence = max(confidence, 0.8) + 0.05
        reasons.append("title")
    elif ctx.strong:
        confidence += 0.2
        reasons.append("cue word" if ctx.worded else "alone on its line or after another name")
    elif ctx.weak:
        confidence += 0.05
    if ctx.after_id:
        confidence += 0.25
        reasons.append("identifier after")
    elif ctx.after:
        confidence += 0.1
        reasons.append("cue after")
    return min(round(confidence, 2), 0.97), "; ".join(reasons)


def _trim(parts: list[_Token]) -> list[_Token]:
    while parts and (parts[-1].particle or (parts[-1].initial and len(parts) > 1)):
        parts = parts[:-1]
    while len(parts) > 1 and parts[-1].common and not parts[-1].named:
        parts = parts[:-1]
    return parts


_JOIN = re.compile(r"\s*(?:,|&|and|og|och|und|en|et|y|e)\s+$", re.IGNORECASE)


def _joined(doc: Document, last: int, start: int) -> bool:
    """Whether a name ended just before ``start``, joined by ``and``, ``og``, ``,``..."""
    return last >= 0 and start - last <= 6 and _JOIN.fullmatch(doc.text, last, start) is not None


def _starts_name(doc: Document, token: _Token, joined: bool, tagged: bool = False) -> bool:
    if token.initial or token.particle or token.text.rstrip(".").lower() in TITLES:
        return False
    if token.named:
        return True
    if not token.unknown:
        return False
    return joined or tagged or _leads(doc, token.start, token.end)


def _leads(doc: Document, start: int, end: int) -> bool:
    """A title or a cue word before, or the word stands alone on its line (a signature)."""
    line_start = doc.line_start(start)
    before = doc.text[max(line_start, start - 40) : start]
    words = before.split()  # splits on every kind of white space, control characters too
    if not words:
        return not doc.text[end : doc.line_end(end)].strip(" ,.;")
    if words[-1].rstrip(".").lower() in TITLES:
        return True
    return _cues_before(before.rstrip())[0]


def _names_in(doc: Document, tokens: list[_Token], last: list[int]) -> Iterator[Span]:
    """Names in one run of capitalized words; ``last`` holds where the previous name ended."""
    i = 0
    end_of_run = tokens[-1].end if tokens else 0
    tagged = _AFTER_ID.match(doc.text, end_of_run, end_of_run + 40) is not None
    while i < len(tokens):
        joined = _joined(doc, last[0], tokens[i].start)
        if not _starts_name(doc, tokens[i], joined, tagged and len(tokens) - i <= 3):
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and j - i < 5 and not (tokens[j].common and not tokens[j].named):
            j += 1
        parts = _trim(tokens[i:j])
        start, end = parts[0].start, parts[-1].end
        confidence, why = _score(parts, _context(doc, start, end, joined))
        if confidence >= doc.settings.min_confidence:
            last[0] = end
            yield Span("PERSON", start, end, doc.text[start:end], confidence, why)
        i = j


def find_names(doc: Document) -> Iterator[Span]:
    """Person names: lexicons, capitalization and the words around them."""
    last = [-1]
    for m in _CANDIDATE.finditer(doc.text):
        if not _hopeless(m.group(0)):
            yield from _names_in(doc, _tokens(m), last)
    yield from _self_introductions(doc)


def _self_introductions(doc: Document) -> Iterator[Span]:
    """``my name is maria jensen``, ``jeg hedder Lars``: names written in lower case too."""
    for begin, end in doc.lines_with(_INTRO_ANCHORS):
        for m in _SELF_INTRO.finditer(doc.text, begin, end):
            first = m.group("first").lower()
            named = m.group("first")[:1].isupper() and _NAMING.search(m.group(0)) is not None
            if first in common_words() or not (named or first in given_names()):
                continue
            last = m.group("last")
            stop = m.end("first")
            if last and (last.lower() in surnames() or last[:1].isupper()):
                stop = m.end("last")
            start = m.start("first")
            text = doc.text[start:stop]
            yield Span("PERSON", start, stop, text, 0.85, "introduces themselves by name")


_NAMING = re.compile(
    r"(?i)^(?:my name is|my name's|jeg hedder|mit navn er|jag heter|mitt namn är|ich heiße|"
    r"ich heisse|mein name ist|ik heet|mijn naam is|je m'appelle|me llamo|mi chiamo|nimeni on)\s"
)
"""Phrases that can only be followed by a name: a capitalized word after them is one."""

_INTRO_ANCHORS = (
    "my name",
    "i am",
    "i'm",
    "im ",
    "this is",
    "hedder",
    "mit navn",
    "heter",
    "mitt namn",
    "heiße",
    "heisse",
    "mein name",
    "ik heet",
    "mijn naam",
    "m'appelle",
    "me llamo",
    "mi chiamo",
    "nimeni on",
)

FINDERS = (FinderSpec("names", find_names, _INTRO_ANCHORS),)
