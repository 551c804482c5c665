"""Identifiers next to their cue words, and the unmistakable ones without.

Each identifier is a row of :data:`SPECS`: the words people write before it (in the languages of
the countries that issue it), the shape of its value, the check that confirms it, and the
confidence it earns on its own when the shape and check digits are strong enough to stand
without a cue (a Finnish HETU, a Norwegian fødselsnummer, a dashed CPR number). Weak checks (a
Dutch BSN passes one random number in eleven) are reported only next to a cue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from labwarden.checks.pii import checksums as c
from labwarden.checks.pii import validators as v
from labwarden.checks.pii.interface import Document, FinderSpec, Span


@dataclass(frozen=True, slots=True)
class IdSpec:
    """One kind of identifier."""

    entity: str
    cues: tuple[str, ...]
    """Lower-case words (regular-expression fragments allowed after the first letter) before it."""
    shape: str
    """The value's regular expression (no groups)."""
    valid: Callable[[str], bool] | None = None
    bare: str | None = None
    """A stricter shape that is reported without a cue (with ``bare_confidence``)."""
    bare_confidence: float = 0.0
    cued_confidence: float = 0.97
    """Next to a cue; higher where the check digits are stronger (two for a fødselsnummer)."""
    needs_digit: bool = False


def _has_digit(value: str) -> bool:
    return any(ch.isdigit() for ch in value)


SPECS: tuple[IdSpec, ...] = (
    IdSpec(
        "DK_CPR",
        ("cpr", "cpr-nr", "personnummer", "cpr nummer"),
        r"\d{6}-?\d{4}",
        v.danish_cpr,
        cued_confidence=0.95,  # a date and no check digit since 2007
    ),
    IdSpec(
        "SE_PERSONNUMMER",
        ("personnummer", "personnr", "pnr", "samordningsnummer", "person number"),
        r"(?:19|20)?\d{6}[-+]?\d{4}",
        v.swedish_personnummer,
        cued_confidence=0.98,
    ),
    IdSpec(
        "NO_FODSELSNUMMER",
        ("fødselsnummer", "fodselsnummer", "fødselsnr", "fnr", "d-nummer", "personnummer"),
        r"\d{6} ?\d{5}",
        c.norwegian_fodselsnummer,
        bare=r"\d{6} ?\d{5}",
        bare_confidence=0.7,
    ),
    IdSpec(
        "FI_HETU",
        ("henkilötunnus", "hetu", "sotu", "personbeteckning", "henkilotunnus"),
        r"\d{6}[-+ABCDEFUVWXY]\d{3}[0-9A-Y]",
        c.finnish_hetu,
        bare=r"\d{6}[-+ABCDEFUVWXY]\d{3}[0-9A-Y]",
        bare_confidence=0.9,
    ),
    IdSpec(
        "IS_KENNITALA",
        ("kennitala", r"kt\."),
        r"\d{6}-?\d{4}",
        c.icelandic_kennitala,
    ),
    IdSpec(
        "DE_STEUER_ID",
        (
            "steuer-id",
            "steuerid",
            "steuer-identifikationsnummer",
            "steueridentifikationsnummer",
            "identifikationsnummer",
            "idnr",
            "tax id",
        ),
        r"\d{2} ?\d{3} ?\d{3} ?\d{3}",
        c.german_steuer_id,
    ),
    IdSpec(
        "NL_BSN",
        ("bsn", "burgerservicenummer", "sofinummer", "sofi-nummer"),
        r"\d{4}\.?\d{2}\.?\d{3}|\d{3}\.\d{3}\.\d{3}",
        c.dutch_bsn,
    ),
    IdSpec(
        "BE_NATIONAL_NUMBER",
        ("rijksregisternummer", "numéro national", "national number", "insz", "niss"),
        r"\d{2}\.?\d{2}\.?\d{2}[-.]?\d{3}\.?\d{2}",
        c.belgian_national_number,
        bare=r"\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}",
        bare_confidence=0.85,
    ),
    IdSpec(
        "FR_NIR",
        ("nir", "sécurité sociale", "securite sociale", "numéro de sécu", "insee"),
        r"[1-478] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}",
        c.french_nir,
        bare=r"[12] \d{2} \d{2} (?:\d{2}|2[AB]) \d{3} \d{3} \d{2}",
        bare_confidence=0.8,
    ),
    IdSpec(
        "ES_DNI",
        ("dni", "nie", "nif", "documento nacional"),
        r"[XYZ]?\d{7,8}-?[A-Z]",
        c.spanish_dni,
    ),
    IdSpec(
        "IT_CODICE_FISCALE",
        ("codice fiscale", "cod. fisc", "c.f.", "cf"),
        r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]",
        c.italian_codice_fiscale,
        bare=r"[A-Z]{6}\d{2}[ABCDEHLMPRST]\d{2}[A-Z]\d{3}[A-Z]",
        bare_confidence=0.9,
    ),
    IdSpec("PL_PESEL", ("pesel",), r"\d{11}", c.polish_pesel),
    IdSpec(
        "UK_NHS",
        ("nhs", "nhs no", "nhs number"),
        r"\d{3}[ \-]?\d{3}[ \-]?\d{4}",
        v.uk_nhs,
        bare=r"\d{3} \d{3} \d{4}",
        bare_confidence=0.6,
    ),
    IdSpec(
        "UK_NINO",
        ("national insurance", "nino", "ni number", "ni no"),
        r"[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]",
        c.uk_nino,
        bare=r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] \d{2} \d{2} \d{2} [A-D]",
        bare_confidence=0.7,
    ),
    IdSpec(
        "US_SSN",
        ("ssn", "social security", "soc sec"),
        r"\d{3}-?\d{2}-?\d{4}",
        v.us_ssn,
        bare=r"\d{3}-\d{2}-\d{4}",
        bare_confidence=0.6,
    ),
    IdSpec(
        "PASSPORT",
        (
            "passport",
            "pass no",
            "passnummer",
            "passnr",
            "reisepass",
            "pasnummer",
            "paspoort",
            "passeport",
            "pasaporte",
            "passaporto",
            "passi",
        ),
        r"[A-Z0-9]{6,9}",
        None,
        needs_digit=True,
    ),
    IdSpec(
        "DRIVER_LICENSE",
        (
            "driver's licen[cs]e",
            "drivers licen[cs]e",
            "driver licen[cs]e",
            "driving licen[cs]e",
            "dl#",
            "dl no",
            "kørekort",
            "körkort",
            "førerkort",
            "führerschein",
            "rijbewijs",
            "ajokortti",
            "permis de conduire",
        ),
        r"[A-Z0-9][A-Z0-9\-]{4,15}[A-Z0-9]",
        None,
        needs_digit=True,
    ),
    IdSpec(
        "MRN",
        (
            "mrn",
            "medical record",
            "med rec",
            "hospital number",
            "hospital no",
            "patient id",
            "patient no",
            "patient number",
            "journalnummer",
            "journalnr",
            "patientnummer",
            "patiëntnummer",
            "chart no",
            "chart number",
        ),
        r"(?:MRN-?)?[A-Z]{0,4}-?\d{5,10}",
        None,
        bare=r"MRN-?\d{5,10}",
        bare_confidence=0.9,
        needs_digit=True,
    ),
    IdSpec(
        "SUBJECT_ID",
        (
            "subject",
            "subj",
            "participant",
            "screening no",
            "screening number",
            "randomi[sz]ation no",
            "randomi[sz]ation number",
            "forsøgsperson",
            "forsøgsdeltager",
            "deltager",
            "försöksperson",
            "proband",
            "studienummer",
        ),
        r"[A-Z]{0,4}[-/]?\d{2,4}(?:[-/]\d{2,6}){0,2}",
        None,
        needs_digit=True,
    ),
    IdSpec(
        "SITE_ID",
        ("site", "centre", "center", "investigator site", "studiested", "prüfzentrum"),
        r"[A-Z]{0,3}[-]?\d{2,5}",
        None,
        needs_digit=True,
    ),
)

_FILLER = (
    r"(?:[^\w\n]{0,4}(?:no|nr|number|nummer|numero|número|num|id|idnr|code|er|is|är|ist|was|"
    r"of|#)\b\.?){0,3}[^\w\n]{0,4}"
)


def _cue_pattern(spec: IdSpec) -> re.Pattern[str]:
    cues = "|".join(sorted(spec.cues, key=len, reverse=True))
    flags = "" if spec.entity in _CASED_VALUES else "(?i)"
    return re.compile(
        rf"{flags}(?<![\w])(?i:{cues})(?![\w]){_FILLER}(?P<value>{spec.shape})(?![\w])"
    )


_CASED_VALUES = frozenset({"IT_CODICE_FISCALE", "UK_NINO", "ES_DNI", "PASSPORT", "DRIVER_LICENSE"})
"""Values written in capitals; matched case-sensitively so that words are not read as numbers."""


def _anchors(spec: IdSpec) -> tuple[str, ...]:
    """The literal start of each cue (up to its first regular-expression character)."""
    return tuple(re.split(r"[\[\\(]", cue, maxsplit=1)[0] for cue in spec.cues)


@dataclass(frozen=True, slots=True)
class _Compiled:
    spec: IdSpec
    cued: re.Pattern[str]
    bare: re.Pattern[str] | None


_COMPILED = tuple(_Compiled(s, _cue_pattern(s), None) for s in SPECS)
_BARE_SPECS = {f"b{i}": s for i, s in enumerate(SPECS) if s.bare}
_BARE = re.compile(
    r"(?=[\dA-Z])(?<![\w\-.+/])(?:"
    + "|".join(f"(?P<{key}>{spec.bare})" for key, spec in _BARE_SPECS.items())
    + r")(?![\w]|[\-.+/]\w)"
)
"""Every identifier that may stand without a cue, in one pass over the text."""


def _accept(spec: IdSpec, value: str) -> bool:
    if spec.needs_digit and not _has_digit(value):
        return False
    return spec.valid is None or spec.valid(value)


def _cued(doc: Document, item: _Compiled) -> Iterator[Span]:
    spec = item.spec
    checked = "check digits valid" if spec.valid is not None else "shape"
    for begin, end in doc.lines_with(_anchors(spec)):
        for m in item.cued.finditer(doc.text, begin, end):
            value = m.group("value")
            if _accept(spec, value):
                confidence = spec.cued_confidence if spec.valid is not None else 0.85
                cue = m.group(0)[: m.start("value") - m.start()].strip(" :=#\"'(")
                yield Span(
                    spec.entity,
                    m.start("value"),
                    m.end("value"),
                    value,
                    confidence,
                    f"cue {cue!r}; {checked}",
                )


def _bare(doc: Document) -> Iterator[Span]:
    for m in _BARE.finditer(doc.text):
        key = m.lastgroup
        spec = _BARE_SPECS.get(key or "")
        if spec is not None and _accept(spec, m.group(0)):
            yield Span(
                spec.entity,
                m.start(),
                m.end(),
                m.group(0),
                spec.bare_confidence,
                "shape and check digits, no cue word",
            )


def find_identifiers(doc: Document) -> Iterator[Span]:
    """National, travel, licence, medical-record and trial identifiers."""
    for item in _COMPILED:
        yield from _cued(doc, item)
    yield from _bare(doc)


def _bare_numeric(doc: Document) -> Iterator[Span]:
    """Dashed CPR and personnummer shapes without a cue: the date and checksum decide."""
    for m in _DASHED.finditer(doc.text):
        entity = numeric_entity(m.group(0))
        if entity is not None:
            confidence = 0.9 if entity == "SE_PERSONNUMMER" else 0.75
            yield Span(entity, m.start(), m.end(), m.group(0), confidence, "dated shape, no cue")


_DASHED = re.compile(r"(?=\d)(?<![\d\-.:/])(?:\d{8}-\d{4}|\d{6}[\-+]\d{4})(?![\d\-]|[.:]\d)")


def numeric_entity(text: str) -> str | None:
    """Which identifier a dashed ``(YY)YYMMDD-NNNN`` number is: Swedish (Luhn) or Danish (date)."""
    if len(text) == 13 or v.swedish_personnummer(text):
        return "SE_PERSONNUMMER" if v.swedish_personnummer(text) else None
    return "DK_CPR" if "+" not in text and v.danish_cpr(text) else None


FINDERS = (
    FinderSpec("identifiers", find_identifiers, tuple(a for s in SPECS for a in _anchors(s))),
    FinderSpec("dated-numbers", _bare_numeric),
)
