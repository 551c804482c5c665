"""The entity types of personal and health data: what each is called and how it counts.

Every type is a direct identifier (names a person on its own), a quasi-identifier (names a person
in combination), a special-category attribute (GDPR article 9: health, ethnicity) or a pseudonym
(a study's subject code: personal data, but only the sponsor can link it).
"""

from __future__ import annotations

DIRECT = "direct"
QUASI = "quasi"
SENSITIVE = "sensitive"
PSEUDONYM = "pseudonym"

_TYPES: tuple[tuple[str, str, str], ...] = (
    ("PERSON", DIRECT, "person name"),
    ("EMAIL", DIRECT, "e-mail address"),
    ("PHONE", DIRECT, "phone number"),
    ("US_SSN", DIRECT, "US social security number"),
    ("DK_CPR", DIRECT, "Danish CPR number"),
    ("UK_NHS", DIRECT, "UK NHS number"),
    ("UK_NINO", DIRECT, "UK national insurance number"),
    ("SE_PERSONNUMMER", DIRECT, "Swedish personnummer"),
    ("NO_FODSELSNUMMER", DIRECT, "Norwegian fødselsnummer"),
    ("FI_HETU", DIRECT, "Finnish personal identity code (HETU)"),
    ("IS_KENNITALA", DIRECT, "Icelandic kennitala"),
    ("DE_STEUER_ID", DIRECT, "German tax identification number (Steuer-ID)"),
    ("NL_BSN", DIRECT, "Dutch citizen service number (BSN)"),
    ("BE_NATIONAL_NUMBER", DIRECT, "Belgian national register number"),
    ("FR_NIR", DIRECT, "French social security number (NIR)"),
    ("ES_DNI", DIRECT, "Spanish DNI/NIE"),
    ("IT_CODICE_FISCALE", DIRECT, "Italian codice fiscale"),
    ("PL_PESEL", DIRECT, "Polish PESEL"),
    ("NATIONAL_ID", DIRECT, "national identity number"),
    ("PASSPORT", DIRECT, "passport number"),
    ("DRIVER_LICENSE", DIRECT, "driver's licence number"),
    ("CREDIT_CARD", DIRECT, "payment card number"),
    ("IBAN", DIRECT, "bank account (IBAN)"),
    ("IP_ADDRESS", DIRECT, "IP address"),
    ("MRN", DIRECT, "medical record number"),
    ("ADDRESS", DIRECT, "street address"),
    ("FREE_TEXT_IDENTIFIERS", DIRECT, "free text naming people"),
    ("DATE_OF_BIRTH", QUASI, "date of birth"),
    ("AGE", QUASI, "age"),
    ("SEX", QUASI, "sex"),
    ("POSTCODE", QUASI, "postcode"),
    ("LOCATION", QUASI, "place"),
    ("ORGANIZATION", QUASI, "organization"),
    ("SITE_ID", QUASI, "trial site number"),
    ("DIAGNOSIS", SENSITIVE, "ICD-10 diagnosis"),
    ("MEDICATION", SENSITIVE, "medication"),
    ("ETHNICITY", SENSITIVE, "racial or ethnic origin"),
    ("HEALTH_EVENT", SENSITIVE, "adverse event or medical history term"),
    ("LAB_RESULT", SENSITIVE, "laboratory result"),
    ("PSEUDONYM", PSEUDONYM, "pseudonymous subject identifier"),
    ("SUBJECT_ID", PSEUDONYM, "trial subject number"),
)

CATEGORY = {entity: category for entity, category, _ in _TYPES}
"""Entity type -> direct identifier, quasi-identifier, sensitive attribute or pseudonym."""

LABELS = {entity: label for entity, _, label in _TYPES}
"""Entity type -> what a report calls it."""

NATIONAL_IDS = frozenset(
    {
        "US_SSN",
        "DK_CPR",
        "UK_NHS",
        "UK_NINO",
        "SE_PERSONNUMMER",
        "NO_FODSELSNUMMER",
        "FI_HETU",
        "IS_KENNITALA",
        "DE_STEUER_ID",
        "NL_BSN",
        "BE_NATIONAL_NUMBER",
        "FR_NIR",
        "ES_DNI",
        "IT_CODICE_FISCALE",
        "PL_PESEL",
        "NATIONAL_ID",
        "PASSPORT",
        "DRIVER_LICENSE",
    }
)
"""Government-issued identifiers: a leak of one is graded higher than other direct identifiers."""

FINANCIAL = frozenset({"CREDIT_CARD", "IBAN"})
HEALTH = frozenset({"DIAGNOSIS", "MEDICATION", "MRN", "HEALTH_EVENT", "LAB_RESULT"})
