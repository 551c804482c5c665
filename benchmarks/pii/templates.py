# ruff: noqa: E501  (tables of generators read best one entry per line)
"""Fill text templates with generated values and record the labelled spans.

A template is text with ``{SLOT}`` placeholders; each slot names a generator and the entity type
its value is labelled with (``None``: context that is not personal, such as a step number).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from benchmarks.pii import corpus as c

Make = Callable[[random.Random], str]


@dataclass(frozen=True)
class Names:
    """Where person names come from (the development and held-out sets use different lists)."""

    first: Sequence[str]
    last: Sequence[str]


@dataclass(frozen=True)
class Template:
    """One template: its style, its language and its text."""

    style: str
    language: str
    text: str


_SLOT = re.compile(r"\{([A-Z_0-9]+)\}")

_PHONES: dict[str, Make] = {
    "PHONE_DK": lambda r: (
        f"{r.randrange(20, 99)} {r.randrange(10, 99)} {r.randrange(10, 99)} {r.randrange(10, 99)}"
    ),
    "PHONE_UK": lambda r: (
        f"07{r.randrange(400, 999)} {r.randrange(100, 999)} {r.randrange(100, 999)}"
    ),
    "PHONE_US": lambda r: (
        f"({r.choice([212, 312, 415, 617, 206, 303, 713])}) {r.randrange(201, 989)}-{r.randrange(1000, 9999)}"
    ),
    "PHONE_DE": lambda r: (
        f"0{r.choice(['30', '40', '89', '151', '160', '171'])} {r.randrange(1000000, 99999999)}"
    ),
    "PHONE_SE": lambda r: (
        f"07{r.choice('0236')}-{r.randrange(100, 999)} {r.randrange(10, 99)} {r.randrange(10, 99)}"
    ),
    "PHONE_ES": lambda r: f"6{r.randrange(10, 99)} {r.randrange(100, 999)} {r.randrange(100, 999)}",
    "PHONE_NL": lambda r: f"06-{r.randrange(10000000, 99999999)}",
    "PHONE_INTL": lambda r: r.choice(
        [
            f"+45 {r.randrange(20, 99)} {r.randrange(10, 99)} {r.randrange(10, 99)} {r.randrange(10, 99)}",
            f"+44 7{r.randrange(400, 999)} {r.randrange(100000, 999999)}",
            f"+49 {r.choice(['30', '89', '151'])} {r.randrange(1000000, 9999999)}",
            f"+46 70 {r.randrange(100, 999)} {r.randrange(10, 99)} {r.randrange(10, 99)}",
            f"+47 {r.randrange(40, 99)} {r.randrange(10, 99)} {r.randrange(10, 99)} {r.randrange(10, 99)}",
            f"+358 40 {r.randrange(1000000, 9999999)}",
            f"+1 {r.choice([212, 415, 617])} {r.randrange(201, 989)} {r.randrange(1000, 9999)}",
        ]
    ),
}

_STREETS = {
    "ADDRESS_DK": lambda r: (
        f"{r.choice(['Nørrebrogade', 'Vesterbrogade', 'Østergade', 'Hovedvejen', 'Skovvej', 'Søndre Allé'])} {r.randrange(1, 200)}, {r.choice(['2200 København N', '8000 Aarhus C', '5000 Odense C', '9000 Aalborg'])}"
    ),
    "ADDRESS_SE": lambda r: (
        f"{r.choice(['Storgatan', 'Drottninggatan', 'Kungsvägen', 'Sveavägen'])} {r.randrange(1, 120)}, {r.choice(['114 55 Stockholm', '411 04 Göteborg', '211 20 Malmö'])}"
    ),
    "ADDRESS_DE": lambda r: (
        f"{r.choice(['Hauptstraße', 'Bahnhofstr.', 'Lindenweg', 'Goethestraße', 'Am Marktplatz'])} {r.randrange(1, 150)}, {r.choice(['10115 Berlin', '80331 München', '20095 Hamburg'])}"
    ),
    "ADDRESS_NL": lambda r: (
        f"{r.choice(['Keizersgracht', 'Dorpsstraat', 'Stationsweg', 'Kerklaan'])} {r.randrange(1, 400)}, {r.choice(['1015 CJ Amsterdam', '3511 AB Utrecht', '2511 CV Den Haag'])}"
    ),
    "ADDRESS_UK": lambda r: (
        f"{r.randrange(1, 250)} {r.choice(['Baker Street', 'High Street', 'Mill Lane', 'Church Road', 'Victoria Road'])}, {r.choice(['London NW1 6XE', 'Leeds LS1 4AP', 'Bristol BS1 5TR'])}"
    ),
    "ADDRESS_US": lambda r: (
        f"{r.randrange(10, 9999)} {r.choice(['Maple', 'Oak', 'Washington', 'Lake Shore', 'Sunset'])} {r.choice(['Street', 'Ave', 'Blvd', 'Drive', 'Road'])}, {r.choice(['Springfield, IL 62704', 'Boston, MA 02118', 'Austin, TX 78701'])}"
    ),
}


def _dob(r: random.Random) -> str:
    d = c.birth(r)
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    return r.choice(
        [d.isoformat(), f"{d:%d/%m/%Y}", f"{d.day} {months[d.month - 1]} {d.year}", f"{d:%d.%m.%Y}"]
    )


_VALUES: dict[str, tuple[str | None, Make]] = {
    "EMAIL": ("EMAIL", lambda r: c.email(r, "maria", "jensen")),
    "CARD": ("CREDIT_CARD", c.card),
    "IBAN": ("IBAN", c.iban),
    "IP_PUBLIC": ("IP_ADDRESS", lambda r: c.ip(r, private=False)),
    "IP_PRIVATE": ("IP_ADDRESS", lambda r: c.ip(r, private=True)),
    "SSN": ("US_SSN", c.us_ssn),
    "NHS": ("UK_NHS", c.uk_nhs),
    "CPR": ("DK_CPR", c.dk_cpr),
    "PNR": ("SE_PERSONNUMMER", c.se_pnr),
    "FNR": ("NO_FODSELSNUMMER", c.no_fnr),
    "HETU": ("FI_HETU", c.fi_hetu),
    "STEUER": ("DE_STEUER_ID", c.de_idnr),
    "BSN": ("NL_BSN", c.nl_bsn),
    "DOB": ("DATE_OF_BIRTH", _dob),
    "AGE": ("AGE", lambda r: str(r.randrange(18, 95))),
    "MRN": (
        "MRN",
        lambda r: r.choice([f"MRN-{r.randrange(10**6, 10**7)}", str(r.randrange(10**6, 10**8))]),
    ),
    "SUBJECT": ("SUBJECT_ID", lambda r: f"{r.randrange(100, 999)}-{r.randrange(1, 999):03d}"),
    "SITE": ("SITE_ID", lambda r: str(r.randrange(100, 999))),
    "PASSPORT": (
        "PASSPORT",
        lambda r: r.choice(
            [
                f"{r.randrange(10**8, 10**9)}",
                f"X{r.randrange(10**6, 10**7)}",
                f"C{r.randrange(10**7, 10**8)}",
            ]
        ),
    ),
    "DL": (
        "DRIVER_LICENSE",
        lambda r: r.choice(
            [
                f"D{r.randrange(10**6, 10**7)}",
                f"{r.randrange(10**7, 10**8)}",
                f"S{r.randrange(100, 999)}-{r.randrange(1000, 9999)}",
            ]
        ),
    ),
    "MED": (
        "MEDICATION",
        lambda r: r.choice(["metformin", "atorvastatin", "warfarin", "sertraline", "apixaban"]),
    ),
    "ICD": ("DIAGNOSIS", lambda r: r.choice(["E11.9", "I10", "J45.909", "F32.9", "N18.3"])),
    "CITY": (
        "LOCATION",
        lambda r: r.choice(
            [
                "Aarhus",
                "Odense",
                "Malmö",
                "Uppsala",
                "Bergen",
                "Hamburg",
                "Utrecht",
                "Leeds",
                "Boston",
                "Tampere",
            ]
        ),
    ),
    "ORG": (
        "ORGANIZATION",
        lambda r: r.choice(
            [
                "Rigshospitalet",
                "Karolinska Universitetssjukhuset",
                "Charité Universitätsmedizin",
                "Novo Nordisk A/S",
                "AstraZeneca AB",
                "Acme Biotech GmbH",
                "Leiden University Medical Center",
                "Oslo universitetssykehus",
            ]
        ),
    ),
    "TS": (
        None,
        lambda r: (
            f"2026-10-{r.randrange(1, 29):02d}T{r.randrange(24):02d}:{r.randrange(60):02d}:{r.randrange(60):02d}Z"
        ),
    ),
    "N": (None, lambda r: str(r.randrange(1, 100000))),
    "HEX": (None, lambda r: f"{r.getrandbits(64):016x}"),
    "LOSS": (None, lambda r: f"{r.random():.4f}"),
    "VER": (None, lambda r: f"{r.randrange(1, 9)}.{r.randrange(0, 20)}.{r.randrange(0, 30)}"),
    "MS": (
        None,
        lambda r: f"{r.randrange(100, 999)}-{r.randrange(100, 999)}-{r.randrange(1000, 9999)}",
    ),
    "ORDER": (None, lambda r: f"{r.randrange(10**7, 10**9)}"),
    "CPD": (None, lambda r: f"CPD-{r.randrange(10**5):05d}"),
}
_VALUES.update({k: ("PHONE", f) for k, f in _PHONES.items()})
_VALUES.update({k: ("ADDRESS", f) for k, f in _STREETS.items()})


def fill(template: Template, rng: random.Random, names: Names) -> c.Sample:
    """The template with every slot filled; slots of a person name are labelled ``PERSON``."""
    w = c.Writer(template.style, template.language)
    first, last = rng.choice(list(names.first)), rng.choice(list(names.last))
    pos = 0
    for m in _SLOT.finditer(template.text):
        w.add(template.text[pos : m.start()])
        slot = m.group(1)
        if slot in ("PERSON", "FIRST", "LAST", "PERSON2"):
            if slot == "PERSON2":
                first, last = rng.choice(list(names.first)), rng.choice(list(names.last))
            value = {"FIRST": first, "LAST": last}.get(slot, f"{first} {last}")
            w.add(value, "PERSON")
        elif slot == "EMAIL":
            w.add(c.email(rng, first, last), "EMAIL")
        else:
            entity, make = _VALUES[slot]
            w.add(make(rng), entity)
        pos = m.end()
    w.add(template.text[pos:])
    return w.sample()


def build(templates: Sequence[Template], names: Names, seed: int, n: int) -> list[c.Sample]:
    """``n`` samples, cycling through the templates."""
    rng = random.Random(seed)
    return [fill(templates[i % len(templates)], rng, names) for i in range(n)]
