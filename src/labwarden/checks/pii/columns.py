"""Classify a table's columns from their names and a sample of their values.

A name suggests a type (``email``, ``dob``, ``cpr``); values confirm it (validated national
identifiers, parseable dates, ages in range) or, for unmistakable values such as e-mail
addresses, decide it without a name. Free-text columns are searched for names and identifiers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from labwarden.checks.pii import checksums as c
from labwarden.checks.pii import validators as v
from labwarden.checks.pii.catalog import CATEGORY, DIRECT, LABELS
from labwarden.checks.pii.entities import find_entities
from labwarden.checks.pii.interface import Settings
from labwarden.checks.pii.lexicon import MEDICATIONS, given_names

MAX_VALUES = 500

_HINTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (entity, re.compile(pattern))
    for entity, pattern in (
        ("EMAIL", r"e_?mail"),
        ("PHONE", r"phone|mobile|^tel$|^tel_|telephone|^fax|^cell"),
        ("US_SSN", r"ssn|social_?security"),
        ("DK_CPR", r"cpr"),
        ("UK_NHS", r"nhs"),
        ("SE_PERSONNUMMER", r"personnummer|personnr|^pnr$"),
        ("NO_FODSELSNUMMER", r"fodselsnummer|fodselsnr|^fnr$"),
        ("FI_HETU", r"hetu|henkilotunnus"),
        ("DE_STEUER_ID", r"steuer_?id|steueridentifikation|^idnr$"),
        ("NL_BSN", r"^bsn$|burgerservicenummer"),
        ("IBAN", r"iban|account_?number|kontonummer"),
        ("CREDIT_CARD", r"card_?(number|no)|^pan$|credit_?card|^cc_?num"),
        ("IP_ADDRESS", r"^ip$|ip_?addr|client_?ip|remote_?addr|source_?ip|src_?ip"),
        ("PASSPORT", r"passport"),
        ("DRIVER_LICENSE", r"driv(er|ing)_?licen[cs]e|license_?number|^dl_?(no|number)$"),
        ("NATIONAL_ID", r"national_?id|national_?insurance|^nin$|id_?card_?number"),
        ("MRN", r"mrn|medical_?record|patient_?(id|number|no)$|hospital_?number|chart_?number"),
        (
            "PERSON",
            r"^((patient|subject|participant|full|first|last|given|family|middle|maiden|contact|"
            r"customer|investigator|physician|doctor)_?)?name$|^(first|last|given|family|sur)"
            r"_?name|^name_(first|last|full)$|^(fornavn|efternavn|navn|fornamn|efternamn)$",
        ),
        ("ADDRESS", r"address|street|^addr"),
        ("DATE_OF_BIRTH", r"dob|birth|brthdtc|birthday|fodsels|fodelse"),
        ("AGE", r"^age$|^age_|_age$|^ageyears|^age_at"),
        ("SEX", r"^sex$|^sex_|gender"),
        ("POSTCODE", r"post_?code|^zip|postal|postnummer"),
        ("ETHNICITY", r"^race$|ethnic"),
        ("LOCATION", r"country|^siteid$|^site$|^site_id$|^city$|region|municipality"),
        ("DIAGNOSIS", r"icd|diagnos|^dx|condition|disease|mhterm|mhdecod"),
        ("MEDICATION", r"medication|^drug|_drug$|^med_|cmtrt|cmdecod|prescription"),
        ("PSEUDONYM", r"pseudonym|usubjid|subjid|subject_?id|participant_?id|^pid$"),
        ("HEALTH_EVENT", r"^(ae|mh|ce)(term|decod|llt|hlt|bodsys)$|adverse_?event|symptom"),
        ("LAB_RESULT", r"^lb(orres|stresn|stresc|test|testcd)$|lab_?(result|value)"),
        ("FREE_TEXT", r"note|comment|text|narrative|remark|free_?text|description|summary"),
    )
)

Confirm = Callable[[str], bool]


def _name_like(value: str) -> bool:
    tokens = value.split()
    return 1 <= len(tokens) <= 4 and all(
        t[:1].isupper() and t.replace("-", "").replace("'", "").isalpha() for t in tokens
    )


def _person(value: str) -> bool:
    tokens = value.split()
    return _name_like(value) and len(tokens) >= 2 and tokens[0].lower() in given_names()


def _medication(value: str) -> bool:
    return any(word in MEDICATIONS for word in re.split(r"[^a-z]+", value.lower()))


def _mrn(value: str) -> bool:
    return bool(re.fullmatch(r"(?i)(MRN-?)?[A-Z]{0,4}-?\d{5,10}", value.strip()))


_CONFIRM: dict[str, Confirm] = {
    "EMAIL": v.email,
    "PHONE": v.phone,
    "US_SSN": v.us_ssn,
    "DK_CPR": v.danish_cpr,
    "UK_NHS": v.uk_nhs,
    "SE_PERSONNUMMER": v.swedish_personnummer,
    "NO_FODSELSNUMMER": c.norwegian_fodselsnummer,
    "FI_HETU": c.finnish_hetu,
    "DE_STEUER_ID": c.german_steuer_id,
    "NL_BSN": c.dutch_bsn,
    "IBAN": c.iban,
    "CREDIT_CARD": c.payment_card,
    "MRN": _mrn,
    "PERSON": _name_like,
    "DATE_OF_BIRTH": v.calendar_date,
    "AGE": v.age,
    "SEX": v.sex,
    "POSTCODE": v.postcode,
    "DIAGNOSIS": v.icd10,
    "MEDICATION": _medication,
}

# Values that decide the type without any hint from the name, with the share that must match.
_BY_VALUE: tuple[tuple[str, Confirm, float], ...] = (
    ("EMAIL", v.email, 0.8),
    ("US_SSN", lambda s: bool(re.fullmatch(r"\d{3}-\d{2}-\d{4}", s)) and v.us_ssn(s), 0.8),
    ("SE_PERSONNUMMER", lambda s: "-" in s and v.swedish_personnummer(s), 0.8),
    ("DK_CPR", lambda s: bool(re.fullmatch(r"\d{6}-\d{4}", s)) and v.danish_cpr(s), 0.8),
    ("UK_NHS", lambda s: bool(re.fullmatch(r"\d{3} \d{3} \d{4}", s)) and v.uk_nhs(s), 0.8),
    ("PHONE", lambda s: s.startswith("+") and v.phone(s), 0.8),
    ("PERSON", _person, 0.6),
    ("MEDICATION", _medication, 0.8),
    ("DIAGNOSIS", lambda s: "." in s and v.icd10(s), 0.9),
)


@dataclass(frozen=True, slots=True)
class ColumnVerdict:
    """What a column holds."""

    column: str
    entity: str
    category: str
    share: float
    """The share of sampled values that confirmed the type (1.0 when the name alone decided)."""
    reason: str


def normalize(name: str) -> str:
    """``Patient Name`` and ``patientName`` -> ``patient_name``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")


def name_hint(column: str) -> str | None:
    """The entity type a column name suggests, if any."""
    key = normalize(column)
    for entity, pattern in _HINTS:
        if pattern.search(key):
            return entity
    return None


def classify_column(
    column: str, values: list[str | None], settings: Settings | None = None
) -> ColumnVerdict | None:
    """The verdict for one column, or ``None`` when it holds nothing personal."""
    sample = [s.strip() for s in values if s is not None and s.strip()][:MAX_VALUES]
    hint = name_hint(column)
    if hint == "FREE_TEXT" or (hint is None and _is_free_text(sample)):
        return _free_text(column, sample, settings)
    if hint is not None:
        verdict = _confirm_hint(column, hint, sample)
        if verdict is not None:
            return verdict
    if not sample:
        return None
    distinct = list(dict.fromkeys(sample))[:MAX_VALUES]
    for entity, confirm, needed in _BY_VALUE:
        share = sum(1 for s in distinct if confirm(s)) / len(distinct)
        if share >= needed:
            return ColumnVerdict(
                column, entity, CATEGORY[entity], share, f"{share:.0%} of sampled values"
            )
    return _by_detection(column, distinct, settings)


def _confirm_hint(column: str, hint: str, sample: list[str]) -> ColumnVerdict | None:
    confirm = _CONFIRM.get(hint)
    if confirm is None or not sample:
        return ColumnVerdict(column, hint, CATEGORY[hint], 1.0, f"column name {column!r}")
    share = sum(1 for s in sample if confirm(s)) / len(sample)
    if share >= 0.5:
        return ColumnVerdict(
            column, hint, CATEGORY[hint], share, f"name and {share:.0%} of sampled values"
        )
    return None


DETECTION_VALUES = 200
"""Distinct values of an unnamed column read by the text recognizers."""


def _by_detection(
    column: str, distinct: list[str], settings: Settings | None
) -> ColumnVerdict | None:
    """Run the free-text recognizers on each value: a column whose values are, whole, one
    entity type (a phone number, an IBAN, a name) holds that type, as prose would say."""
    values = [d for d in distinct if len(d) <= 200][:DETECTION_VALUES]
    if len(values) < 2:
        return None
    votes: dict[str, int] = {}
    for value in values:
        spans = find_entities(value, settings)
        if len(spans) == 1 and spans[0].end - spans[0].start >= 0.8 * len(value):
            votes[spans[0].entity] = votes.get(spans[0].entity, 0) + 1
    if not votes:
        return None
    entity, count = max(votes.items(), key=lambda kv: kv[1])
    share = count / len(values)
    if share < 0.6:
        return None
    reason = f"{share:.0%} of sampled values are {LABELS[entity]}s (text recognizers)"
    return ColumnVerdict(column, entity, CATEGORY[entity], share, reason)


def _is_free_text(sample: list[str]) -> bool:
    if len(sample) < 3:
        return False
    return sum(len(s) for s in sample) / len(sample) >= 30 and sum(
        " " in s for s in sample
    ) >= 0.5 * len(sample)


def _free_text(
    column: str, sample: list[str], settings: Settings | None = None
) -> ColumnVerdict | None:
    hits = 0
    kinds: set[str] = set()
    for value in sample:
        found = {s.entity for s in find_entities(value, settings) if CATEGORY[s.entity] == DIRECT}
        if found:
            hits += 1
            kinds |= found
    if hits >= 2 or (sample and hits / len(sample) >= 0.05 and hits):
        share = hits / len(sample)
        what = ", ".join(sorted(kinds))
        return ColumnVerdict(
            column,
            "FREE_TEXT_IDENTIFIERS",
            DIRECT,
            share,
            f"free text; {hits} sampled values name people or identifiers ({what})",
        )
    return None


def classify_columns(
    columns: dict[str, list[str | None]], settings: Settings | None = None
) -> list[ColumnVerdict]:
    """Verdicts for every column that holds personal or sensitive data."""
    out = []
    for name, values in columns.items():
        verdict = classify_column(name, values, settings)
        if verdict is not None:
            out.append(verdict)
    return out
