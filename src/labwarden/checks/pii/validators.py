"""Validators for national identifiers, health codes and other personal data values.

Each takes the matched text and says whether it is structurally valid: dates that exist,
checksums that hold (UK NHS modulus 11, Swedish personnummer Luhn), reserved ranges excluded
(US SSN area 000, 666 and 900-999).
"""

from __future__ import annotations

import re
from datetime import date

_DIGITS = re.compile(r"[^0-9]")


def digits(text: str) -> str:
    """Only the digits of ``text``."""
    return _DIGITS.sub("", text)


def valid_date(year: int, month: int, day: int) -> bool:
    """Whether the day exists in the calendar."""
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def danish_cpr(text: str) -> bool:
    """DDMMYY-SSSS with a real date (the modulus-11 rule was dropped in 2007, so not required)."""
    d = digits(text)
    if len(d) != 10:
        return False
    day, month, year = int(d[0:2]), int(d[2:4]), int(d[4:6])
    seventh = int(d[6])
    if seventh <= 3:
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if year <= 36 else 1900
    else:
        century = 2000 if year <= 57 else 1800
    return valid_date(century + year, month, day)


def us_ssn(text: str) -> bool:
    """AAA-GG-SSSS outside the never-issued ranges and the well-known advertising numbers."""
    d = digits(text)
    if len(d) != 9:
        return False
    area, group, serial = d[:3], d[3:5], d[5:]
    if area in ("000", "666") or area.startswith("9") or group == "00" or serial == "0000":
        return False
    return d not in {"078051120", "219099999", "123456789"}


def uk_nhs(text: str) -> bool:
    """Ten digits whose modulus-11 check digit holds."""
    d = digits(text)
    if len(d) != 10 or len(set(d)) == 1:
        return False
    total = sum(int(c) * w for c, w in zip(d[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(d[9])


def luhn(number: str) -> bool:
    """The Luhn (mod 10) checksum."""
    total = 0
    for i, c in enumerate(reversed(number)):
        n = int(c)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def swedish_personnummer(text: str) -> bool:
    """(YY)YYMMDD-NNNC with a Luhn check digit; day + 60 is a samordningsnummer."""
    d = digits(text)
    if len(d) == 12:
        d = d[2:]
    if len(d) != 10 or not luhn(d):
        return False
    month, day = int(d[2:4]), int(d[4:6])
    if day > 60:
        day -= 60
    return valid_date(2000, month, day)  # 2000 is a leap year: accepts 29 February


_ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.?[0-9A-TV-Z]{1,4})?$")


def icd10(text: str) -> bool:
    """An ICD-10 (or ICD-10-CM) code: letter, two digits, optional subcategory."""
    return bool(_ICD10.match(text.strip().upper()))


_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")
_NOT_PERSONAL_MAIL = re.compile(
    r"(?i)^(noreply|no-reply|donotreply|git|root|postmaster|mailer-daemon)@|"
    r"gserviceaccount\.com$|@example\.(com|org|net)$|@users\.noreply\.github\.com$|"
    r"\.(example|test|invalid|localhost|local)$"
)


def email(text: str) -> bool:
    """An e-mail address of a person (not a service account or an example domain)."""
    value = text.strip()
    return bool(_EMAIL.match(value)) and not _NOT_PERSONAL_MAIL.search(value)


_PHONE = re.compile(r"^\+?[\d\s().\-]{7,20}$")


def phone(text: str) -> bool:
    """A phone number: 8 to 15 digits written with phone punctuation or a leading +."""
    value = text.strip()
    if not _PHONE.match(value):
        return False
    n = len(digits(value))
    if not 8 <= n <= 15:
        return False
    if value.startswith("+"):
        return True
    return bool(re.search(r"[\s().\-]", value)) and not re.match(r"^\d{4}-\d\d-\d\d$", value)


_DATE_FORMS = (
    re.compile(r"^(?P<y>(19|20)\d\d)-(?P<m>\d\d)(-(?P<d>\d\d))?([T ].*)?$"),
    re.compile(r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>(19|20)\d\d)$"),
    re.compile(r"^(?P<y>(19|20)\d\d)(?P<m>\d\d)(?P<d>\d\d)$"),
)


def calendar_date(text: str) -> bool:
    """A full or partial (year-month) calendar date."""
    value = text.strip()
    for form in _DATE_FORMS:
        m = form.match(value)
        if m:
            day = int(m.group("d") or 1)
            return valid_date(int(m.group("y")), int(m.group("m")), day)
    return False


def age(text: str) -> bool:
    """A whole number of years between 0 and 120."""
    value = text.strip()
    return value.isascii() and value.isdigit() and 0 <= int(value) <= 120


SEX_VALUES = frozenset({"M", "F", "MALE", "FEMALE", "U", "UNKNOWN", "UNDIFFERENTIATED", "X"})


def sex(text: str) -> bool:
    """A sex or gender code."""
    return text.strip().upper() in SEX_VALUES


_POSTCODE = re.compile(
    r"^([A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|\d{5}(-\d{4})?|\d{4}|\d{3} ?\d{2}"
    r"|[A-Z]\d[A-Z] ?\d[A-Z]\d)$"
)


def postcode(text: str) -> bool:
    """A UK, US, Nordic, German or Canadian postal code."""
    return bool(_POSTCODE.match(text.strip().upper()))
