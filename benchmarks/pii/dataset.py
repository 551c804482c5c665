# ruff: noqa: E501  (tables of generated test data read best one entry per line)
"""Generated, labelled PII/PHI evaluation data (deterministic).

* ``text_set()``: log lines, clinical notes and documents with exact character spans of each
  entity, plus lines that look personal and are not (ML logs, versions, timestamps, model
  names). Half the person names come from a list that labwarden's given-name lexicon does not
  hold, so name recall is not measured against the detector's own word list.
* ``tables()``: clinical tables whose columns carry a true entity type (or none), with plain,
  CDISC, abbreviated and meaningless column names.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

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


@dataclass
class Sample:
    """A text and its labelled spans ``(entity, start, end)``."""

    text: str
    spans: list[tuple[str, int, int]] = field(default_factory=list)


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.spans: list[tuple[str, int, int]] = []
        self.pos = 0

    def add(self, text: str, entity: str | None = None) -> None:
        if entity:
            self.spans.append((entity, self.pos, self.pos + len(text)))
        self.parts.append(text)
        self.pos += len(text)

    def sample(self) -> Sample:
        return Sample("".join(self.parts), self.spans)


def _cpr(rng: random.Random) -> str:
    d = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 60))
    return f"{d:%d%m%y}-{rng.randrange(0, 4)}{rng.randrange(1000):03d}"


def _ssn(rng: random.Random) -> str:
    return f"{rng.randrange(1, 665):03d}-{rng.randrange(1, 99):02d}-{rng.randrange(1, 9999):04d}"


def _nhs(rng: random.Random) -> str:
    while True:
        base = [rng.randrange(10) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(base, range(10, 1, -1), strict=True)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            s = "".join(map(str, base)) + str(check)
            return f"{s[:3]} {s[3:6]} {s[6:]}"


def _pnr(rng: random.Random) -> str:
    d = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 60))
    body = f"{d:%y%m%d}{rng.randrange(1000):03d}"
    total = 0
    for i, c in enumerate(body):
        n = int(c) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return f"{body[:6]}-{body[6:]}{(10 - total % 10) % 10}"


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


def text_set(seed: int = 7, n: int = 400) -> list[Sample]:  # noqa: C901
    """Labelled texts: half with personal data, half look-alikes without."""
    rng = random.Random(seed)
    out: list[Sample] = []
    for i in range(n):
        w = _Writer()
        stamp = f"2026-10-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z "
        kind = i % 10
        if kind == 0:
            w.add(stamp + 'DEBUG payload patient_name="')
            w.add(_name(rng), "PERSON")
            w.add('" dob=')
            w.add(_dob(rng), "DATE_OF_BIRTH")
            w.add(" mrn=")
            w.add(f"MRN-{rng.randrange(10**6, 10**7)}", "MRN")
        elif kind == 1:
            w.add("Spoke with ")
            w.add(_name(rng), "PERSON")
            w.add(" (phone ")
            w.add(_phone(rng), "PHONE")
            w.add(") about ")
            w.add(rng.choice(MEDS), "MEDICATION")
            w.add(" dosing; diagnosis: ")
            w.add(rng.choice(ICD), "DIAGNOSIS")
            w.add(".")
        elif kind == 2:
            w.add(stamp + "INFO consent received from ")
            w.add(_email(rng), "EMAIL")
            w.add(" CPR ")
            w.add(_cpr(rng), "DK_CPR")
        elif kind == 3:
            w.add("Referral: NHS number ")
            w.add(_nhs(rng), "UK_NHS")
            w.add(", aged ")
            w.add(str(rng.randrange(18, 95)), "AGE")
            w.add(", postcode ")
            w.add(rng.choice(["SW1A 1AA", "M1 1AE", "EH1 2NG"]), "POSTCODE")
        elif kind == 4:
            w.add("Insurance claim SSN ")
            w.add(_ssn(rng), "US_SSN")
            w.add(" filed by Dr. ")
            w.add(rng.choice(LAST), "PERSON")
        elif kind == 5:
            w.add("Patient personnummer ")
            w.add(_pnr(rng), "SE_PERSONNUMMER")
            w.add(" started ")
            w.add(rng.choice(MEDS), "MEDICATION")
        elif kind == 6:
            w.add(
                stamp
                + f"INFO docking-run-{i} epoch={i % 30} step={i * 50} loss=0.{rng.randrange(1000, 9999)} lr=3e-4"
            )
        elif kind == 7:
            w.add(
                f"Released Tox Classifier v{i % 9}.{i % 7}.{i % 5} on 2026-10-{1 + i % 28:02d}; build "
                f"{rng.randrange(10**9)} ({rng.randrange(100, 999)}-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)} ms)"
            )
        elif kind == 8:
            w.add(
                f"GET /api/models/{rng.choice(['protein-lm-v3', 'docking-v7'])} 200 {rng.randrange(10**6)} "
                f"request_id={rng.getrandbits(64):016x} user=akumar duration={rng.randrange(1000)}ms"
            )
        else:
            w.add(
                f"Model Card: trained by the Discovery Team at Acme Labs; contact ml-ops@acme.example; "
                f"compound CPD-{rng.randrange(10**5):05d} IC50 {rng.randrange(1, 999)} nM"
            )
        out.append(w.sample())
    return out


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
    specs = [
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
    negatives = [
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
        chosen = rng.sample(specs, 6) + rng.sample(negatives, 4)
        columns = []
        for name, fn, *truth in chosen:
            values: list[str | None] = [
                fn(rng) if rng.random() > 0.05 else None for _ in range(rows)
            ]
            columns.append(Column(name, values, truth[0] if truth else None))
        out.append(columns)
    return out
