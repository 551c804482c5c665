"""Street addresses, postcodes, places and organizations, as far as can be done offline.

US street addresses are candidates of US shape confirmed by ``usaddress`` (a conditional random
field whose model ships in its wheel); European ones are street-name suffixes of Danish, Swedish,
Norwegian, Finnish, German, Dutch and British streets followed by a house number, optionally a
postcode and a town. Places come from a gazetteer (countries, regions, cities of the trial
countries) and count only after a cue (``lives in``, ``from``, ``born in``) or a postcode: many
place names are also ordinary words. Organizations are capitalized names ending in a legal form
(``A/S``, ``GmbH``, ``Ltd``) or an institution word (``Hospital``, ``Universitet``). Recall of
places and organizations written without any of these is low, and the report says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from labwarden.checks.pii import validators as v
from labwarden.checks.pii.interface import Document, FinderSpec, Span
from labwarden.checks.pii.lexicon import common_words, places
from labwarden.checks.pii.names import LOWER, UPPER

_W = rf"[{UPPER}][{LOWER}]+"
_NUM = r"\d{1,5}[A-Za-z]?(?:-\d{1,4})?"
_US_SUFFIX = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    r"Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|Trail|Trl"
)
_US = re.compile(
    rf"(?<![\w\-])\d{{1,6}}\s+(?:[NSEW]\.?\s+)?(?:{_W}\s+){{1,3}}(?:{_US_SUFFIX})\.?"
    rf"(?:\s+(?:NE|NW|SE|SW|N|S|E|W)\b)?(?:,?\s+(?:Apt|Suite|Ste|Unit|#)\.?\s*\w+)?"
    rf"(?:,\s*(?:{_W}\s?){{1,3}},\s*[A-Z]{{2}}\s+\d{{5}}(?:-\d{{4}})?)?(?![\w])"
)
_EU_SUFFIX = (
    r"gade|gaden|vej|vejen|allé|alle|stræde|plads|torv|vænge|boulevard|"  # Danish
    r"gatan|vägen|gränd|torget|backe|stigen|"  # Swedish
    r"gata|gate|veien|vegen|"  # Norwegian
    r"katu|tie|kuja|polku|"  # Finnish
    r"straße|strasse|str\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee|"  # German
    r"straat|laan|plein|gracht|kade|singel|dijk|steeg"  # Dutch
)
_EU_WORD = (
    r"Allé|Alle|Gade|Vej|Plads|Torv|Straße|Strasse|Weg|Allee|Platz|Gasse|Laan|Plein|Gracht|"
    r"Kade|Gatan|Vägen|Gata|Gate|Veien|Katu|Tie"
)
_EU = re.compile(
    rf"(?<![\w\-])(?:(?:{_W}\s)?[{UPPER}][{LOWER}\-]*(?:{_EU_SUFFIX})|(?:{_W}\s){{1,2}}(?:{_EU_WORD}))"
    rf"\s+{_NUM}"
    rf"(?:,?\s*(?:\d{{1,2}}\.?\s*(?:th|tv|mf|sal|st)\.?|\d\s*tr\.?))?"
    rf"(?:,\s*(?:[A-Z]{{2}}-)?(?:\d{{4}}(?:\s?[A-Z]{{2}})?|\d{{3}}\s?\d{{2}}|\d{{5}})\s+{_W}"
    rf"(?:\s+[A-ZØ]\b)?)?"
)
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}"
_UK = re.compile(
    rf"(?<![\w\-])\d{{1,4}}[A-Za-z]?,?\s+(?:{_W}\s+){{1,3}}(?:Street|Road|Lane|Avenue|Close|"
    rf"Crescent|Gardens|Place|Square|Terrace|Way|Drive|Grove|Hill|Row|Mews|Court|Park|Walk|"
    rf"Rise|View)\b(?:,\s*(?:{_W}\s?){{1,3}})?(?:,?\s*{_UK_POSTCODE})?"
)
_POSTCODE_TOWN = re.compile(
    rf"(?=[\dDSNF])(?<![\w\-])(?P<code>(?:DK-|S-|SE-|N-|NO-|D-|NL-|FI-)?(?:\d{{4}}\s?[A-Z]{{2}}|\d{{3}}\s\d{{2}}|"
    rf"\d{{4,5}}))\s+(?P<town>{_W}(?:[\s\-]{_W})?)"
)
_UK_CODE = re.compile(rf"(?=[A-Z])(?<![\w\-]){_UK_POSTCODE}(?![\w])")


_POSTAL_PART = re.compile(rf",\s*(?:[A-Z]{{2}}-)?(?:\d{{3,5}}|{_UK_POSTCODE})|{_UK_POSTCODE}$")


def _us_confirmed(text: str) -> bool:
    import usaddress

    try:
        tags, kind = usaddress.tag(text)
    except usaddress.RepeatedLabelError:
        return False
    return kind == "Street Address" and "AddressNumber" in tags and "StreetName" in tags


_EU_ANCHORS = tuple(a.replace("\\", "") for a in _EU_SUFFIX.replace("\n", "").split("|") if a)
_EN_ANCHORS = (
    "street",
    "road",
    "avenue",
    "ave",
    "blvd",
    "boulevard",
    "lane",
    "drive",
    "court",
    "way",
    "place",
    "terrace",
    "parkway",
    "highway",
    "circle",
    "square",
    "trail",
    "close",
    "crescent",
    "gardens",
    "grove",
    "hill",
    "row",
    "mews",
    "park",
    "walk",
    "rise",
    "view",
    " st",
    " rd",
    " ln",
    " dr",
    " ct",
    " pl",
    " ter",
    " pkwy",
    " hwy",
    " cir",
    " sq",
    " trl",
)


def _matches(
    doc: Document, pattern: re.Pattern[str], anchors: tuple[str, ...]
) -> Iterator[re.Match[str]]:
    for begin, end in doc.lines_with(anchors):
        yield from pattern.finditer(doc.text, begin, end)


def find_addresses(doc: Document) -> Iterator[Span]:
    """Street addresses: US (confirmed by usaddress), Nordic, German, Dutch and British."""
    for m in _matches(doc, _US, _EN_ANCHORS):
        if _us_confirmed(m.group(0)):
            yield Span("ADDRESS", m.start(), m.end(), m.group(0), 0.85, "US street address")
    for pattern, anchors, why in (
        (_EU, _EU_ANCHORS, "street suffix and house number"),
        (_UK, _EN_ANCHORS, "UK street address"),
    ):
        for m in _matches(doc, pattern, anchors):
            value = m.group(0).rstrip(", ")
            coded = _POSTAL_PART.search(value) is not None
            confidence = 0.9 if coded else 0.75
            yield Span("ADDRESS", m.start(), m.start() + len(value), value, confidence, why)


def find_postcodes(doc: Document) -> Iterator[Span]:
    """A postcode followed by a known town, and full UK postcodes."""
    known = places()
    for m in _POSTCODE_TOWN.finditer(doc.text):
        if m.group("town").lower() in known:
            code = m.group("code")
            yield Span(
                "POSTCODE", m.start("code"), m.end("code"), code, 0.85, "postcode before a town"
            )
            yield Span(
                "LOCATION", m.start("town"), m.end("town"), m.group("town"), 0.85, "after postcode"
            )
    for m in _UK_CODE.finditer(doc.text):
        if v.postcode(m.group(0)) and " " in m.group(0):
            yield Span("POSTCODE", m.start(), m.end(), m.group(0), 0.7, "UK postcode shape")


_PLACE_CUE = re.compile(
    r"(?i)\b(?:lives? in|living in|lived in|resides? in|resident of|born in|from|moved to|"
    r"moving to|based in|located in|town of|city of|hometown|travell?ed to|visiting|"
    r"bor i|bosat i|født i|flyttet til|fra|bor i|född i|flyttade till|wohnt in|wohnhaft in|"
    r"geboren in|aus|woont in|geboren in|uit|asuu|kotoisin)\s+$"
)
_PLACE = re.compile(rf"(?<![\w\-]){_W}(?:[\s\-](?:{_W}|upon|on|am|an|der|de|la)){{0,3}}")


def find_places(doc: Document) -> Iterator[Span]:
    """Gazetteer places after a cue word (``lives in``, ``from``, ``født i``)."""
    known = places()
    for begin, end in doc.lines_with(_PLACE_ANCHORS):
        for m in _PLACE.finditer(doc.text, begin, end):
            name = _longest_place(m.group(0), known)
            if name is None:
                continue
            cue = _PLACE_CUE.search(doc.text, max(begin, m.start() - 24), m.start())
            if cue is None:
                continue
            confidence = 0.6 if name.lower() in common_words() else 0.85
            yield Span("LOCATION", m.start(), m.start() + len(name), name, confidence, "cue word")


def _longest_place(text: str, known: frozenset[str]) -> str | None:
    words = text.split()
    for n in range(len(words), 0, -1):
        candidate = " ".join(words[:n])
        if candidate.lower() in known:
            return candidate
    return None


_PLACE_ANCHORS = (
    "live",
    "living",
    "reside",
    "resident",
    "born",
    "from",
    "moved",
    "moving",
    "based",
    "located",
    "town",
    "city",
    "travel",
    "visiting",
    "bor i",
    "bosat",
    "født i",
    "flytte",
    "fra ",
    "född i",
    "wohn",
    "geboren",
    "aus ",
    "woont",
    "uit ",
    "asuu",
    "kotoisin",
)

_ORG_FORM = (
    r"A/S|ApS|AS|ASA|AB|Oy|Oyj|GmbH|AG|KG|e\.V\.|B\.V\.|BV|N\.V\.|NV|Ltd\.?|Limited|plc|PLC|"
    r"Inc\.?|LLC|Corp\.?|Corporation|S\.A\.|SA|S\.p\.A\.|SpA|SE|SARL|SAS"
)
_ORG_WORD = (
    r"Hospital|Hospitalet|Sygehus|Sjukhus|Sjukhuset|Sykehus|Sykehuset|Klinikum|Klinik|Kliniken|"
    r"Clinic|Universitet|Universitetet|University|Universität|Universiteit|Institute|Institut|"
    r"Instituut|Foundation|Fonden|Stiftung|Pharma|Pharmaceuticals|Therapeutics|Biotech|"
    r"Laboratories|Medical Center|Medical Centre|Health|Healthcare|Region|Kommune|Kommun|"
    r"Universitätsmedizin|Universitätsklinikum|Universitetssjukhus|Universitetssykehus"
)
_ORG_TAIL = re.compile(rf"(?<![\w\-])(?:{_ORG_FORM}|{_ORG_WORD})(?![\w])")
_ORG_HEAD = re.compile(
    rf"(?:(?:{_W}|[A-Z]{{2,6}})[\s\-](?:(?:&|and|of|for|og|och|und|für|voor)\s)?){{1,4}}$"
)
_ORG_OF = re.compile(rf"\s(?:of|for)\s(?:{_W}\s?){{1,3}}")
_COMPOUND_TAIL = (
    "hospitalet|sygehus|sjukhuset|sykehuset|klinikum|universitet|universitetet|"
    "universitetssykehus|universitetssjukhus|sykehus|sjukhus|sygehus"
)
_ORG_COMPOUND = re.compile(
    rf"(?<![\w\-])(?:{_W}\s){{0,3}}(?:[{UPPER}][{LOWER}]+|(?<=[{LOWER}] )[{LOWER}]+)"
    rf"(?:{_COMPOUND_TAIL})(?![\w])"
)
_COMPOUND_ANCHORS = (
    "hospitalet",
    "sygehus",
    "sjukhus",
    "sykehus",
    "klinikum",
    "universitet",
)
_ARTICLES = frozenset({"the", "a", "an", "our", "at", "in"})


def _organization(doc: Document, tail: re.Match[str]) -> Span | None:
    line_start = doc.line_start(tail.start())
    window = doc.text[max(line_start, tail.start() - 80) : tail.start()]
    head = _ORG_HEAD.search(window)
    start = tail.start() - (len(window) - head.start()) if head else tail.start()
    end = tail.end()
    after = _ORG_OF.match(doc.text, end) if tail.group(0) in _ORG_WORD else None
    if head is None and after is None:
        return None
    if after is not None:
        end = after.end()
    value = doc.text[start:end].rstrip()
    words = value.split()
    while words and words[0].lower() in _ARTICLES:
        start += len(words[0]) + 1
        words = words[1:]
    if len(words) < 2:
        return None
    return Span(
        "ORGANIZATION",
        start,
        start + len(" ".join(words)),
        " ".join(words),
        0.75,
        "legal form or institution",
    )


def find_organizations(doc: Document) -> Iterator[Span]:
    """Organizations named with a legal form or an institution word."""
    for tail in _ORG_TAIL.finditer(doc.text):
        span = _organization(doc, tail)
        if span is not None:
            yield span
    for m in _matches(doc, _ORG_COMPOUND, _COMPOUND_ANCHORS):
        yield Span("ORGANIZATION", m.start(), m.end(), m.group(0), 0.75, "institution name")


FINDERS = (
    FinderSpec("addresses", find_addresses, _EU_ANCHORS + _EN_ANCHORS),
    FinderSpec("postcodes", find_postcodes),
    FinderSpec("places", find_places, _PLACE_ANCHORS),
    FinderSpec("organizations", find_organizations, _COMPOUND_ANCHORS),
)
