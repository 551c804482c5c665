"""Dates of birth and ages, the ways people write them, in the languages where trials run.

A date is a date of birth only next to a cue (``DOB``, ``born``, ``født``, ``geboren am``...);
an age is an age with its unit (``31 y/o``, ``31-year-old``, ``31 år``, ``31 Jahre alt``), after
``aged``/``age:`` or after ``I'm``/``jeg er``/``ich bin``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from labwarden.checks.pii.interface import Document, FinderSpec, Span

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    "januar|februar|marts|maj|juni|juli|oktober|"  # Danish, Norwegian
    "januari|februari|mars|augusti|"  # Swedish
    "mai|desember|"  # Norwegian
    "märz|maerz|dezember|"  # German
    "maart|mei|augustus|"  # Dutch
    "janvier|février|fevrier|avril|juin|juillet|août|aout|septembre|octobre|novembre|décembre|"
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th|\.|er)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_DATE = (
    rf"(?:{_YEAR}[-/.](?:0?[1-9]|1[0-2])[-/.](?:[12]\d|3[01]|0?[1-9])"
    rf"|(?:[12]\d|3[01]|0?[1-9])[-/.](?:0?[1-9]|1[0-2])[-/.](?:{_YEAR}|\d\d)"
    rf"|(?:0?[1-9]|1[0-2])/(?:[12]\d|3[01]|0?[1-9])/(?:{_YEAR}|\d\d)"
    rf"|{_DAY}\s+(?:of\s+|de\s+)?(?:{_MONTHS})\.?,?\s+(?:de\s+)?{_YEAR}"
    rf"|(?:{_MONTHS})\.?\s+{_DAY},?\s+{_YEAR}"
    rf"|(?:in\s+)?(?:{_MONTHS})\.?\s+{_YEAR}"
    rf"|{_YEAR}(?:0[1-9]|1[0-2])(?:[12]\d|3[01]|0[1-9])"
    rf"|(?:in\s+)?{_YEAR})"
)
_DOB_CUES = (
    "dob",
    "d.o.b",
    "date of birth",
    "birth date",
    "birthdate",
    "birthday",
    "born",
    "b.",
    "brthdtc",
    "fødselsdato",
    "fødselsdag",
    "født",
    "f.",
    "född",
    "födelsedatum",
    "födelsedag",
    "geboren",
    "geb.",
    "geburtsdatum",
    "geburtstag",
    "geboortedatum",
    "syntymäaika",
    "syntynyt",
    "né le",
    "née le",
    "date de naissance",
    "fecha de nacimiento",
    "nacido el",
    "nacida el",
)
_DOB = re.compile(
    r"(?i)(?<![\w.])(?P<cue>"
    + "|".join(re.escape(c) for c in sorted(_DOB_CUES, key=len, reverse=True))
    + r")(?![\w])[\s:=\"']{0,4}(?:(?:on|in|the|den|am|op|le|den|d\.|:)\s+){0,2}[\"']?"
    + rf"(?P<value>{_DATE})(?![\w]|[-/.]\d)"
)


def find_birth_dates(doc: Document) -> Iterator[Span]:
    """Dates next to a date-of-birth cue."""
    for begin, end in doc.lines_with(_DOB_ANCHORS):
        for m in _DOB.finditer(doc.text, begin, end):
            cue = m.group("cue")
            value = m.group("value")
            if value.lower().startswith("in "):
                start = m.start("value") + 3
                value = value[3:]
            else:
                start = m.start("value")
            weak = cue.lower() in {"b.", "f.", "born"} and len(value) == 4
            confidence = 0.6 if weak else 0.9
            yield Span("DATE_OF_BIRTH", start, m.end("value"), value, confidence, f"cue {cue!r}")


_DOB_ANCHORS = tuple(
    sorted({c.rstrip(".") for c in _DOB_CUES if len(c) > 2} | {" b. ", " f. ", "(b. ", "(f. "})
)

_AGE_UNIT = re.compile(
    r"(?i)(?<![\w.,])(?P<value>1[01]\d|120|[1-9]?\d)\s?(?:-\s?)?"
    r"(?P<unit>y/o|y\.o\.?|yo|yrs?\.?\s+old|years?[\s-]+old|year[\s-]+old|years?\s+of\s+age|"
    r"år\s+gam(?:mel|mal)|årig[ea]?|år\s+ung|jahre?\s+alt|jährige[rn]?|jaar\s+oud|jarige|"
    r"-?vuotias|ans|años|anni)(?![\w])"
)
_AGE_CUE = re.compile(
    r"(?i)(?<![\w])(?P<cue>aged?|age\s*[:=]|alder|ålder|alter|leeftijd|ikä|âge|edad|età)"
    r"[\s:=\"']{0,3}(?:of\s+)?(?P<value>1[01]\d|120|[1-9]?\d)(?![\d%.,]\d|\w|%|\s?(?:kg|cm|mg|%))"
)
_AGE_SELF = re.compile(
    r"(?i)(?<![\w])(?P<cue>i'?m|i am|im|jeg er|jag är|ich bin|ik ben|je suis|tengo|sono)\s+"
    r"(?P<value>1[01]\d|[1-9]\d)(?:\s+(?:years?|yrs?|år|jahre|jaar))?(?=\s*(?:[.,;!?)]|$|and\b|og\b|"
    r"och\b|und\b|en\b|y/o|yo\b))"
)


def find_ages(doc: Document) -> Iterator[Span]:
    """Ages with their unit, after an age cue, or in ``I'm 31``."""
    for begin, end in doc.lines_with(_AGE_ANCHORS):
        for m in _AGE_UNIT.finditer(doc.text, begin, end):
            yield Span("AGE", m.start("value"), m.end("value"), m.group("value"), 0.9, "age unit")
        for m in _AGE_CUE.finditer(doc.text, begin, end):
            cue = m.group("cue").strip(" :=").lower()
            yield Span(
                "AGE", m.start("value"), m.end("value"), m.group("value"), 0.8, f"cue {cue!r}"
            )
        for m in _AGE_SELF.finditer(doc.text, begin, end):
            yield Span(
                "AGE", m.start("value"), m.end("value"), m.group("value"), 0.7, "self-described age"
            )


_AGE_ANCHORS = (
    "y/o",
    "y.o",
    "yo",
    "yr",
    "year",
    "år",
    "jahr",
    "jähr",
    "jaar",
    "jarig",
    "vuotias",
    "ans",
    "años",
    "anni",
    "age",
    "alder",
    "ålder",
    "alter",
    "leeftijd",
    "ikä",
    "âge",
    "edad",
    "età",
    "i'm",
    "i am",
    "im ",
    "jeg er",
    "jag är",
    "ich bin",
    "ik ben",
    "je suis",
    "tengo",
    "sono",
)

FINDERS = (
    FinderSpec("birth-dates", find_birth_dates, _DOB_ANCHORS),
    FinderSpec("ages", find_ages, _AGE_ANCHORS),
)
