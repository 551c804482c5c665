"""Recognizers for personal and health data in free text (logs, documents, text columns).

Structure first (validated national identifiers, e-mail addresses), then key words next to the
value (``mrn=``, ``dob:``, ``patient_name=``), then word lists (given names, medicines).
Everything is regular expressions and checksums: no model, nothing downloaded.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from ahocorasick_rs import AhoCorasick

from labwarden.checks.pii import validators as v
from labwarden.checks.pii.lexicon import FIRST_NAMES, MEDICATIONS, NOT_SURNAMES
from labwarden.checks.secrets.scanner import lines_at, lower_ascii

DIRECT = "direct"
QUASI = "quasi"
SENSITIVE = "sensitive"
PSEUDONYM = "pseudonym"

CATEGORY = {
    "PERSON": DIRECT,
    "EMAIL": DIRECT,
    "PHONE": DIRECT,
    "US_SSN": DIRECT,
    "DK_CPR": DIRECT,
    "UK_NHS": DIRECT,
    "SE_PERSONNUMMER": DIRECT,
    "NATIONAL_ID": DIRECT,
    "MRN": DIRECT,
    "ADDRESS": DIRECT,
    "FREE_TEXT_IDENTIFIERS": DIRECT,
    "DATE_OF_BIRTH": QUASI,
    "AGE": QUASI,
    "SEX": QUASI,
    "POSTCODE": QUASI,
    "LOCATION": QUASI,
    "DIAGNOSIS": SENSITIVE,
    "MEDICATION": SENSITIVE,
    "ETHNICITY": SENSITIVE,
    "HEALTH_EVENT": SENSITIVE,
    "LAB_RESULT": SENSITIVE,
    "PSEUDONYM": PSEUDONYM,
}
"""Entity type -> direct identifier, quasi-identifier, sensitive attribute or pseudonym."""

LABELS = {
    "PERSON": "person name",
    "EMAIL": "e-mail address",
    "PHONE": "phone number",
    "US_SSN": "US social security number",
    "DK_CPR": "Danish CPR number",
    "UK_NHS": "UK NHS number",
    "SE_PERSONNUMMER": "Swedish personnummer",
    "NATIONAL_ID": "national identity number",
    "MRN": "medical record number",
    "ADDRESS": "postal address",
    "FREE_TEXT_IDENTIFIERS": "free text naming people",
    "DATE_OF_BIRTH": "date of birth",
    "AGE": "age",
    "SEX": "sex",
    "POSTCODE": "postcode",
    "LOCATION": "location",
    "DIAGNOSIS": "ICD-10 diagnosis",
    "MEDICATION": "medication",
    "ETHNICITY": "racial or ethnic origin",
    "HEALTH_EVENT": "adverse event or medical history term",
    "LAB_RESULT": "laboratory result",
    "PSEUDONYM": "pseudonymous subject identifier",
}

NATIONAL_IDS = frozenset({"US_SSN", "DK_CPR", "UK_NHS", "SE_PERSONNUMMER", "NATIONAL_ID"})


@dataclass(frozen=True, slots=True)
class Span:
    """One entity found in a text."""

    entity: str
    start: int
    end: int
    text: str


Check = Callable[[re.Match[str]], bool]


@dataclass(frozen=True, slots=True)
class Recognizer:
    """A pattern for one entity type; the group ``value`` (or the whole match) is the entity."""

    entity: str
    pattern: re.Pattern[str]
    check: Check | None = None
    anchors: tuple[str, ...] = ()
    """Lower-case strings of which one must be in the text for the pattern to run."""


def _value(m: re.Match[str]) -> str:
    return m.group("value") if "value" in m.re.groupindex else m.group(0)


def _with(fn: Callable[[str], bool]) -> Check:
    return lambda m: fn(_value(m))


NUMERIC_ID = "NUMERIC_ID"
"""One pass for the unlabelled national-identifier shapes; :func:`numeric_entity` decides."""


def numeric_entity(text: str) -> str | None:
    """Which national identifier a bare number is, by shape and checksum, if any.

    ``YYYYMMDD-NNNN`` and a valid Luhn ``YYMMDD-NNNN`` are Swedish, other dated ``DDMMYY-SSSS``
    Danish, ``AAA-GG-SSSS`` a US SSN, ``NNN NNN NNNN`` with a valid check digit a UK NHS number.
    """
    if " " in text:
        return "UK_NHS" if v.uk_nhs(text) else None
    if text.count("-") == 2:
        return "US_SSN" if v.us_ssn(text) else None
    if len(text) == 13:
        return "SE_PERSONNUMMER" if v.swedish_personnummer(text) else None
    if v.swedish_personnummer(text):
        return "SE_PERSONNUMMER"
    return "DK_CPR" if "+" not in text and v.danish_cpr(text) else None


_PERSON_KEY = re.compile(
    r"(?i)(patient|subject|participant|person|full|first|last|given|family|sur|customer|"
    r"contact|next_of_kin|kin|caller|reporter|nurse|physician|doctor)[ _\-]?name"
)
_NAME_WORD = r"[A-ZÆØÅÄÖÜÉ][a-zæøåäöüéèá'\-]+"


def _person_key(m: re.Match[str]) -> bool:
    tokens = _value(m).split()
    if any(t.lower() in NOT_SURNAMES for t in tokens):
        return False
    if _PERSON_KEY.search(m.group("key")):
        return True
    # a bare ``name=`` names models and runs as often as people: ask for a known given name
    return len(tokens) >= 2 and tokens[0].lower() in FIRST_NAMES


def _gazetteer_name(m: re.Match[str]) -> bool:
    first, last = _value(m).split()[:2]
    return (
        first.lower() in FIRST_NAMES
        and last.lower() not in NOT_SURNAMES
        and last.lower() not in FIRST_NAMES
    )


RECOGNIZERS: tuple[Recognizer, ...] = (
    Recognizer(
        "EMAIL",
        re.compile(
            r"(?<![\w.+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b"
        ),
        _with(v.email),
        ("@",),
    ),
    Recognizer(
        "DK_CPR",
        re.compile(
            r"(?i)\bcpr(?:[\-. ]?(?:nr|no|number|nummer))?\.?\W{0,5}(?P<value>\d{6}-?\d{4})\b"
        ),
        _with(v.danish_cpr),
        ("cpr",),
    ),
    Recognizer(
        "SE_PERSONNUMMER",
        re.compile(
            r"(?i)\b(?:personnummer|personnr|pnr)\W{0,5}(?P<value>(?:19|20)?\d{6}[\-+]?\d{4})\b"
        ),
        _with(v.swedish_personnummer),
        ("pnr", "personn"),
    ),
    Recognizer(
        "UK_NHS",
        re.compile(
            r"(?i)\bnhs(?:[ _\-]?(?:no|number|num))?\.?\W{0,5}"
            r"(?P<value>\d{3}[ \-]?\d{3}[ \-]?\d{4})\b"
        ),
        _with(v.uk_nhs),
        ("nhs",),
    ),
    Recognizer(
        "US_SSN",
        re.compile(
            r"(?i)\b(?:ssn|social security(?: number| no)?)\W{0,5}(?P<value>\d{3}-?\d{2}-?\d{4})\b"
        ),
        _with(v.us_ssn),
        ("ssn", "social security"),
    ),
    Recognizer(
        NUMERIC_ID,
        re.compile(
            r"(?<![\d\-])(?:\d{8}-\d{4}|\d{6}[\-+]\d{4}|\d{3}-\d{2}-\d{4}|\d{3} \d{3} \d{4})"
            r"(?![\d\-])"
        ),
        None,
        ("-", "+", " "),
    ),
    Recognizer(
        "MRN",
        re.compile(
            r"(?i)\b(?:mrn|medical[ _\-]?record(?:[ _\-]?(?:number|no|nr|#))?|patient[ _\-]?"
            r"(?:id|number|no)|hospital[ _\-]?number)[\"']?\s*[:=#]?\s*[\"']?"
            r"(?P<value>(?:MRN-?)?[A-Z]{0,4}-?\d{5,10})\b"
        ),
        None,
        ("mrn", "record", "patient", "hospital"),
    ),
    Recognizer("MRN", re.compile(r"\bMRN-?\d{5,10}\b"), None, ("mrn",)),
    Recognizer(
        "PHONE",
        re.compile(
            r"(?i)\b(?:phone|tel|telephone|mobile|cell|fax|mob)\b\.?[\"']?\s*(?:no\.?|number)?"
            r"\s*[:=#]?\s*[\"']?(?P<value>\+?\d[\d ().\-]{6,18}\d)"
        ),
        _with(lambda s: 8 <= len(v.digits(s)) <= 15),
        ("phone", "tel", "mobile", "cell", "fax", "mob"),
    ),
    Recognizer(
        "PHONE",
        re.compile(
            r"(?<![\w+])\+\d{1,3}[ .\-]?(?:\(\d{1,4}\)[ .\-]?)?\d{1,4}"
            r"(?:[ .\-]?\d{2,4}){1,4}(?![\w])"
        ),
        _with(v.phone),
        ("+",),
    ),
    Recognizer(
        "PHONE",
        re.compile(r"(?<![\w(])\(\d{3}\) ?\d{3}[\-.]\d{4}(?!\d)"),
        None,
        ("(",),
    ),
    Recognizer(
        "DATE_OF_BIRTH",
        re.compile(
            r"(?i)\b(?:dob|d\.o\.b\.?|date[ _\-]?of[ _\-]?birth|birth[ _\-]?date|birthdate|"
            r"born(?: on)?|brthdtc|birthday)[\"']?\s*[:=]?\s*[\"']?"
            r"(?P<value>(?:19|20)\d\d-\d\d(?:-\d\d)?|\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)\d\d)"
        ),
        _with(v.calendar_date),
        ("dob", "d.o.b", "birth", "born", "brthdtc"),
    ),
    Recognizer(
        "AGE",
        re.compile(r"(?i)\b(?:age|aged)[\"']?\s*[:=]?\s*(?P<value>\d{1,3})\b(?!\s*%)"),
        _with(v.age),
        ("age",),
    ),
    Recognizer(
        "AGE",
        re.compile(r"(?i)\b(?P<value>\d{1,3})[\- ](?:years?|yrs?|year)[\- ]old\b"),
        _with(v.age),
        ("old",),
    ),
    Recognizer(
        "POSTCODE",
        re.compile(
            r"(?i)\b(?:post ?code|postal ?code|zip(?: ?code)?|postnummer)[\"']?\s*[:=]?\s*[\"']?"
            r"(?P<value>[A-Z0-9]{2,4}(?: ?[A-Z0-9]{3})?(?:-\d{4})?)\b"
        ),
        _with(v.postcode),
        ("post", "zip"),
    ),
    Recognizer(
        "PERSON",
        re.compile(
            r"(?P<key>(?i:\b(?:patient|subject|participant|person|full|first|last|given|family|sur|"
            r"customer|contact|next_of_kin|caller|reporter|nurse|physician|doctor)?[ _\-]?name))"
            r"[\"']?\s*[:=]\s*[\"']?(?P<value>" + _NAME_WORD + r"(?:[ ]+" + _NAME_WORD + r"){0,3})"
        ),
        _person_key,
        ("name",),
    ),
    Recognizer(
        "PERSON",
        re.compile(
            r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Mx)\.? (?P<value>"
            + _NAME_WORD
            + r"(?: "
            + _NAME_WORD
            + r")?)"
        ),
        lambda m: _value(m).split()[0].lower() not in NOT_SURNAMES,
        ("mr", "ms", "dr", "prof", "miss", "mx"),
    ),
    Recognizer(
        "PERSON",
        re.compile(
            r"\b(?P<value>[A-Z][a-zæøåäöüé]{1,15} [A-Z][a-zæøåäöüé]{1,20}(?:-[A-Z][a-z]+)?)\b"
        ),
        _gazetteer_name,
    ),
    Recognizer(
        "DIAGNOSIS",
        re.compile(
            r"(?i)\b(?:icd[\- ]?10(?:[\- ]?cm)?|diagnosis|diagnoses|dx)(?:[ _\-]?codes?)?"
            r"[\"']?\s*[:=]?\s*[\"']?(?P<value>[A-TV-Z]\d[0-9AB](?:\.[0-9A-TV-Z]{1,4})?)\b"
        ),
        _with(v.icd10),
        ("icd", "diagnos", "dx"),
    ),
)


_STRUCTURAL = frozenset({"-", " ", "("})
"""Anchors too common to gate lines with: those recognizers run over the whole text."""


@dataclass(frozen=True, slots=True)
class _Search:
    keywords: tuple[str, ...]
    automaton: AhoCorasick


def _build_search() -> _Search:
    words = {a for r in RECOGNIZERS for a in r.anchors if a not in _STRUCTURAL} | set(MEDICATIONS)
    keywords = tuple(sorted(words))
    return _Search(keywords, AhoCorasick(keywords))


_SEARCH = _build_search()


def find_entities(text: str) -> list[Span]:  # noqa: C901
    """Every entity in ``text``, earlier recognizers winning where matches overlap.

    One multi-pattern pass over the lower-cased text finds the key words; recognizers that need
    one only read the lines that hold it.
    """
    lowered = lower_ascii(text)
    at: dict[str, list[int]] = {}
    for index, start, _ in _SEARCH.automaton.find_matches_as_indexes(lowered, overlapping=True):
        at.setdefault(_SEARCH.keywords[index], []).append(start)
    spans: list[Span] = []
    taken = _Taken()
    for recognizer in RECOGNIZERS:
        if not recognizer.anchors or any(a in _STRUCTURAL for a in recognizer.anchors):
            if recognizer.anchors and not any(a in text for a in recognizer.anchors):
                continue
            regions = [(0, len(text))]
        else:
            positions = sorted(p for a in recognizer.anchors for p in at.get(a, ()))
            if not positions:
                continue
            regions = lines_at(lowered, positions)
        for begin, finish in regions:
            for match in recognizer.pattern.finditer(text, begin, finish):
                group = "value" if "value" in match.re.groupindex else 0
                start, end = match.start(group), match.end(group)
                entity = recognizer.entity
                if entity == NUMERIC_ID:
                    shape = numeric_entity(match.group(0))
                    if shape is None or (shape == "UK_NHS" and text[start - 1 : start] == " "):
                        continue
                    entity = shape
                elif recognizer.check is not None and not recognizer.check(match):
                    continue
                if taken.add(start, end):
                    spans.append(Span(entity, start, end, match.group(group)))
    for word in MEDICATIONS & at.keys():
        for start in at[word]:
            end = start + len(word)
            before = lowered[start - 1] if start else " "
            after = lowered[end] if end < len(lowered) else " "
            if not (before.isalnum() or after.isalnum()) and taken.add(start, end):
                spans.append(Span("MEDICATION", start, end, text[start:end]))
    spans.sort(key=lambda s: s.start)
    return spans


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
