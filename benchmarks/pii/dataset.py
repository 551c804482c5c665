# ruff: noqa: E501  (tables of generated test data read best one entry per line)
"""The development set (the templates the recognizers were tuned on) and the clinical tables.

* ``text_set()``: labelled free text from :data:`DEV_TEMPLATES` (chat, clinical notes, log lines,
  e-mail signatures in English, Danish, Swedish, Norwegian, German and Dutch) with person names
  from labwarden's own lexicon: a development set, so its figures are optimistic.
  ``benchmarks/pii/heldout.py`` is the held-out set, written separately.
* ``tables()``: clinical tables whose columns carry a true entity type (or none).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from benchmarks.pii import corpus
from benchmarks.pii.corpus import Sample
from benchmarks.pii.templates import Names, Template, build

DEV_TEMPLATES = (
    Template("log", "en", '{TS} DEBUG payload patient_name="{PERSON}" dob={DOB} mrn={MRN}'),
    Template("log", "en", "{TS} INFO consent received from {EMAIL} cpr {CPR}"),
    Template("log", "en", "{TS} WARN login from {IP_PUBLIC} for user {EMAIL}"),
    Template("log", "en", "{TS} INFO payment card {CARD} charged; iban {IBAN}"),
    Template("log", "en", "{TS} INFO docking-run-{N} epoch={N} step={N} loss={LOSS} lr=3e-4"),
    Template("log", "en", "{TS} INFO request_id={HEX} took {MS} ms build {ORDER} v{VER}"),
    Template("log", "en", "{TS} INFO sshd: accepted key for akumar from {IP_PRIVATE} port {N}"),
    Template(
        "clinical", "en", "Spoke with {PERSON} (phone {PHONE_UK}) about {MED} dosing; dx: {ICD}."
    ),
    Template("clinical", "en", "Referral: NHS number {NHS}, aged {AGE}, lives in {CITY}."),
    Template("clinical", "en", "Insurance claim SSN {SSN} filed by Dr. {LAST}; call {PHONE_US}."),
    Template(
        "clinical", "en", "Subject {SUBJECT} at site {SITE} reported nausea; {AGE} y/o, DOB {DOB}."
    ),
    Template(
        "clinical",
        "en",
        "Pt {PERSON}, {AGE}-year-old, MRN {MRN}, seen at {ORG}. Address: {ADDRESS_UK}.",
    ),
    Template(
        "clinical",
        "en",
        "Passport no. {PASSPORT} and driver's license {DL} copied to the file of {PERSON}.",
    ),
    Template(
        "clinical", "da", "Patienten {PERSON}, CPR-nr. {CPR}, bor på {ADDRESS_DK}. Tlf. {PHONE_DK}."
    ),
    Template(
        "clinical",
        "sv",
        "Patient {PERSON}, personnummer {PNR}, {AGE} år gammal, adress {ADDRESS_SE}.",
    ),
    Template(
        "clinical", "no", "Pasient {PERSON} med fødselsnummer {FNR}, født {DOB}, ring {PHONE_INTL}."
    ),
    Template(
        "clinical",
        "de",
        "Frau {PERSON}, Steuer-ID {STEUER}, wohnhaft {ADDRESS_DE}, Tel. {PHONE_DE}.",
    ),
    Template(
        "clinical", "nl", "Mevrouw {PERSON}, BSN {BSN}, woont op {ADDRESS_NL}, tel {PHONE_NL}."
    ),
    Template("clinical", "fi", "Potilas {PERSON}, henkilötunnus {HETU}, puh {PHONE_INTL}."),
    Template(
        "chat",
        "en",
        "hey it's {FIRST}, i'm {AGE} y/o and moved to {CITY} last year, text me on {PHONE_INTL}",
    ),
    Template("chat", "en", "{PERSON} and {PERSON2} will join the call, ping {EMAIL}"),
    Template("chat", "en", "my name is {FIRST} {LAST}, born {DOB}, card {CARD}"),
    Template("chat", "es", "hola, soy {PERSON}, mi número es {PHONE_ES}"),
    Template(
        "chat",
        "en",
        "the model card says: trained by the Discovery Team at Acme Labs; contact ml-ops@acme.example",
    ),
    Template(
        "chat",
        "en",
        "Released Tox Classifier v{VER}; compound {CPD} IC50 {N} nM, see https://hub.example/models/{HEX}",
    ),
    Template(
        "signature",
        "en",
        "Best regards,\n{PERSON}\nClinical Research Associate, {ORG}\nTel: {PHONE_INTL}\n{EMAIL}",
    ),
    Template(
        "signature",
        "da",
        "Med venlig hilsen\n{PERSON}\nProjektsygeplejerske, {ORG}\nMobil: {PHONE_DK}",
    ),
    Template("signature", "de", "Mit freundlichen Grüßen\n{PERSON}\n{ADDRESS_DE}\n{PHONE_DE}"),
    Template("signature", "en", "--\n{PERSON} | Study Coordinator | {ADDRESS_US} | {PHONE_US}"),
    Template(
        "log",
        "en",
        "{TS} ERROR GPU 3 out of memory at step {N}; checkpoint {HEX} saved to s3://acme-models/run-{N}/",
    ),
)


def _lexicon_names() -> Names:
    from labwarden.checks.pii.lexicon import given_names, surnames

    rng = random.Random(3)
    first = sorted(n.title() for n in given_names() if n.isalpha() and len(n) > 2)
    last = sorted(n.title() for n in surnames() if n.isalpha() and len(n) > 3)
    return Names(rng.sample(first, 300), rng.sample(last, 300))


def text_set(seed: int = 7, n: int = 600) -> list[Sample]:
    """The development set: labelled texts from the development templates."""
    return build(DEV_TEMPLATES, _lexicon_names(), seed, n)


KNOWN_FIRST = ["Maria", "Lars", "Sofia", "Anna", "Peter", "Emma", "Jens", "Karin", "Henrik", "Ida"]
UNKNOWN_FIRST = [
    "Siobhan",
    "Kwame",
    "Bartholomew",
    "Yasmin",
    "Aleksander",
    "Ingeborg",
    "Thiago",
    "Oluwaseun",
    "Dagny",
    "Ruairi",
]
LAST = [
    "Jensen",
    "Nielsen",
    "Andersson",
    "Okafor",
    "Lindqvist",
    "Haraldsen",
    "Moreau",
    "Kowalski",
    "Brennan",
    "Takahashi",
]
MEDS = ["metformin", "atorvastatin", "warfarin", "sertraline", "apixaban", "levothyroxine"]
ICD = ["E11.9", "I10", "J45.909", "F32.9", "C50.911", "N18.3"]


_cpr, _ssn, _nhs, _pnr = corpus.dk_cpr, corpus.us_ssn, corpus.uk_nhs, corpus.se_pnr


def _name(rng: random.Random) -> str:
    first = rng.choice(KNOWN_FIRST if rng.random() < 0.5 else UNKNOWN_FIRST)
    return f"{first} {rng.choice(LAST)}"


def _dob(rng: random.Random) -> str:
    d = date(1935, 1, 1) + timedelta(days=rng.randrange(365 * 70))
    return d.isoformat() if rng.random() < 0.6 else f"{d:%d/%m/%Y}"


def _phone(rng: random.Random) -> str:
    style = rng.randrange(3)
    if style == 0:
        return f"+45 {rng.randrange(20, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}"
    if style == 1:
        return f"({rng.randrange(200, 999)}) {rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}"
    return f"+44 20 {rng.randrange(7000, 7999)} {rng.randrange(1000, 9999)}"


def _email(rng: random.Random) -> str:
    n = _name(rng).lower().replace(" ", ".")
    return f"{n}@{rng.choice(['regionh.dk', 'nhs.net', 'ki.se', 'mgh.harvard.edu'])}"


@dataclass
class Column:
    """A generated column and its true entity type (``None``: nothing personal)."""

    name: str
    values: list[str | None]
    truth: str | None


def tables(seed: int = 11, rows: int = 200) -> list[list[Column]]:
    """Clinical and research tables with labelled columns."""
    rng = random.Random(seed)
    out = []
    specs: list[tuple[str, Callable[[random.Random], str], str]] = [
        ("patient_name", _name, "PERSON"),
        ("Name", _name, "PERSON"),
        ("navn", _name, "PERSON"),
        ("email", _email, "EMAIL"),
        ("contact", _email, "EMAIL"),
        ("col_7", _email, "EMAIL"),
        ("phone", _phone, "PHONE"),
        ("tel", _phone, "PHONE"),
        ("cpr", _cpr, "DK_CPR"),
        ("cpr_nr", lambda r: _cpr(r).replace("-", ""), "DK_CPR"),
        ("ssn", _ssn, "US_SSN"),
        ("x1", _ssn, "US_SSN"),
        ("nhs_number", _nhs, "UK_NHS"),
        ("personnummer", _pnr, "SE_PERSONNUMMER"),
        ("MRN", lambda r: f"MRN-{r.randrange(10**6, 10**7)}", "MRN"),
        ("BRTHDTC", lambda r: _dob(r)[:7] if r.random() < 0.5 else _dob(r), "DATE_OF_BIRTH"),
        ("date_of_birth", _dob, "DATE_OF_BIRTH"),
        ("AGE", lambda r: str(r.randrange(18, 90)), "AGE"),
        ("SEX", lambda r: r.choice("MF"), "SEX"),
        ("gender", lambda r: r.choice(["male", "female"]), "SEX"),
        ("postcode", lambda r: r.choice(["SW1A 1AA", "2200", "11421", "M1 1AE"]), "POSTCODE"),
        ("RACE", lambda r: r.choice(["WHITE", "ASIAN", "BLACK OR AFRICAN AMERICAN"]), "ETHNICITY"),
        ("diagnosis_icd10", lambda r: r.choice(ICD), "DIAGNOSIS"),
        ("dx_code", lambda r: r.choice(ICD), "DIAGNOSIS"),
        ("CMTRT", lambda r: r.choice(MEDS).upper(), "MEDICATION"),
        ("medication", lambda r: r.choice(MEDS), "MEDICATION"),
        (
            "USUBJID",
            lambda r: f"CTX-104-{r.randrange(100, 400)}-{r.randrange(1, 999):04d}",
            "PSEUDONYM",
        ),
        ("subject_pseudonym", lambda r: f"P{r.getrandbits(40):010x}", "PSEUDONYM"),
        ("COUNTRY", lambda r: r.choice(["DNK", "SWE", "DEU"]), "LOCATION"),
        ("AETERM", lambda r: r.choice(["NAUSEA", "HEADACHE"]), "HEALTH_EVENT"),
        (
            "visit_notes",
            lambda r: f"Spoke with {_name(r)} about side effects; follow-up booked.",
            "FREE_TEXT_IDENTIFIERS",
        ),
    ]
    negatives: list[tuple[str, Callable[[random.Random], str]]] = [
        ("compound_id", lambda r: f"CPD-{r.randrange(10**5):05d}"),
        ("smiles", lambda r: "".join(r.choice("CNOSc1()=#") for _ in range(24))),
        ("ic50_nm", lambda r: f"{r.lognormvariate(5, 1.5):.2f}"),
        ("plate", lambda r: f"P{r.randrange(100):03d}"),
        ("model_name", lambda r: r.choice(["docking-v7", "Tox Classifier", "protein-lm-v3"])),
        ("run_id", lambda r: f"{r.getrandbits(32):08x}"),
        ("weight_kg", lambda r: f"{r.gauss(78, 14):.1f}"),
        ("LBORRESU", lambda r: "U/L"),
        ("VISITNUM", lambda r: str(r.randrange(1, 5))),
        ("created", lambda r: f"2026-10-{r.randrange(1, 28):02d}T10:00:00Z"),
        ("gene", lambda r: f"GENE{r.randrange(10**4):04d}"),
        ("score", lambda r: f"0.{r.randrange(1000):03d}"),
    ]
    for _ in range(12):
        chosen: list[tuple[str, Callable[[random.Random], str], str | None]] = [
            *rng.sample(specs, 6),
            *((n, f, None) for n, f in rng.sample(negatives, 4)),
        ]
        columns = []
        for name, fn, truth in chosen:
            values: list[str | None] = [
                fn(rng) if rng.random() > 0.05 else None for _ in range(rows)
            ]
            columns.append(Column(name, values, truth))
        out.append(columns)
    return out
