"""Which columns are direct identifiers, quasi-identifiers or sensitive, from names and content.

Names follow CDISC SDTM/ADaM (``USUBJID``, ``AGE``, ``SEX``, ``RACE``, ``ETHNIC``, ``COUNTRY``,
``SITEID``, ``BRTHDTC``, ``--DTC`` dates) and common English spellings; content checks catch
postcodes, dates, ICD-10 codes and columns that are unique per row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import pyarrow as pa
import pyarrow.compute as pc


class Role(str, Enum):
    """What a column is for re-identification."""

    DIRECT = "direct-identifier"
    QUASI = "quasi-identifier"
    SENSITIVE = "sensitive"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A column, the role suggested for it and why."""

    column: str
    role: Role
    reason: str

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready dictionary."""
        return {"column": self.column, "role": self.role.value, "reason": self.reason}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


_DIRECT_NAMES = {
    "usubjid": "CDISC unique subject identifier",
    "subjid": "CDISC subject identifier",
    "subjectid": "subject identifier",
    "patientid": "patient identifier",
    "mrn": "medical record number",
    "medicalrecordnumber": "medical record number",
    "ssn": "social security number",
    "nhsnumber": "NHS number",
    "name": "person name",
    "firstname": "person name",
    "lastname": "person name",
    "surname": "person name",
    "fullname": "person name",
    "email": "e-mail address",
    "phone": "telephone number",
    "telephone": "telephone number",
    "address": "street address",
    "streetaddress": "street address",
    "invnam": "CDISC investigator name",
    "ipaddress": "IP address",
}
_DIRECT_PATTERNS = [
    (re.compile(r"pseudonym|patientid|subjectid|participantid|subjid"), "pseudonym or ID"),
]
_QUASI_NAMES = {
    "age": "CDISC AGE",
    "ageu": None,
    "sex": "CDISC SEX",
    "gender": "gender",
    "race": "CDISC RACE",
    "ethnic": "CDISC ETHNIC",
    "ethnicity": "ethnicity",
    "country": "CDISC COUNTRY",
    "siteid": "CDISC SITEID (site narrows location)",
    "site": "trial site",
    "brthdtc": "CDISC BRTHDTC (birth date)",
    "birthdate": "birth date",
    "dob": "birth date",
    "dateofbirth": "birth date",
    "zip": "postcode",
    "zipcode": "postcode",
    "postcode": "postcode",
    "postalcode": "postcode",
    "city": "place of residence",
    "region": "region",
    "state": "region",
    "height": "body height",
    "weight": "body weight",
    "weightkg": "body weight",
    "heightcm": "body height",
    "maritalstatus": "marital status",
    "occupation": "occupation",
    "education": "education",
    "nativecountry": "country of origin",
}
_SENSITIVE_PATTERNS = [
    (
        re.compile(r"diag|icd|disease|condition|aeterm|aedecod|mhterm|mhdecod|cmtrt|cmdecod"),
        "diagnosis, condition or medication",
    ),
    (re.compile(r"^arm$|^armcd$|^actarm|^trt|treatment"), "treatment arm"),
    (re.compile(r"hiv|hepatitis|pregnan|genotype|outcome|salary|income"), "sensitive trait"),
    (re.compile(r"orres$|stresc$|stresn$|result"), "test result"),
]
_POSTCODE = re.compile(r"^(\d{4,5}(-\d{4})?|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?([T ][0-9:.]+)?$")
_ICD10 = re.compile(r"^[A-TV-Z]\d{2}(\.\d{1,4})?$")
_SAMPLE = 5000


def suggest_from_names(columns: Sequence[str]) -> list[Suggestion]:
    """Suggestions from column names alone (cheap enough for a scan)."""
    found = []
    for column in columns:
        key = _norm(column)
        if key in _DIRECT_NAMES:
            found.append(Suggestion(column, Role.DIRECT, _DIRECT_NAMES[key]))
            continue
        if any(p.search(key) for p, _ in _DIRECT_PATTERNS):
            found.append(Suggestion(column, Role.DIRECT, "pseudonym or subject ID"))
            continue
        reason = _QUASI_NAMES.get(key)
        if reason:
            found.append(Suggestion(column, Role.QUASI, reason))
            continue
        if key.endswith("dtc") or (key.endswith("dt") and len(key) > 3):
            found.append(Suggestion(column, Role.QUASI, "CDISC date (--DTC) of an event"))
            continue
        for pattern, why in _SENSITIVE_PATTERNS:
            if pattern.search(key):
                found.append(Suggestion(column, Role.SENSITIVE, why))
                break
    return found


def _share(values: pa.Array, pattern: re.Pattern[str]) -> float:
    if len(values) == 0:
        return 0.0
    hits = pc.sum(pc.match_substring_regex(values, pattern.pattern)).as_py() or 0
    return float(hits) / len(values)


def suggest(table: pa.Table) -> list[Suggestion]:
    """Suggestions from names and content of a table whose columns are text."""
    by_name = {s.column: s for s in suggest_from_names(table.column_names)}
    rows = table.num_rows
    for column in table.column_names:
        if column in by_name:
            continue
        data = table.column(column).slice(0, _SAMPLE).drop_null()
        values = (
            pc.utf8_trim_whitespace(pa.concat_arrays(data.chunks))
            if data.num_chunks
            else pa.array([], pa.string())
        )
        values = values.filter(pc.not_equal(values, ""))
        if len(values) == 0:
            continue
        if _share(values, _DATE) > 0.9:
            by_name[column] = Suggestion(column, Role.QUASI, "values are dates")
        elif _share(values, _POSTCODE) > 0.9 and not _numeric_measure(values):
            by_name[column] = Suggestion(column, Role.QUASI, "values look like postcodes")
        elif _share(values, _ICD10) > 0.9:
            by_name[column] = Suggestion(column, Role.SENSITIVE, "values are ICD-10 codes")
        elif (
            rows >= 20
            and pc.count_distinct(values).as_py() == len(values)
            and not _numeric_measure(values)
        ):
            by_name[column] = Suggestion(column, Role.DIRECT, "a different value in every row")
    return [by_name[c] for c in table.column_names if c in by_name]


def _numeric_measure(values: pa.Array) -> bool:
    """Numbers with decimals are measurements, not codes."""
    return _share(values, re.compile(r"^-?\d+\.\d+$")) > 0.5


def of_role(suggestions: Sequence[Suggestion], role: Role) -> list[str]:
    """The columns suggested for ``role``."""
    return [s.column for s in suggestions if s.role is role]
