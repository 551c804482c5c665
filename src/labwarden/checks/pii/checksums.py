"""Check digits of national identifiers, payment cards and bank accounts.

Each function takes the matched text (separators allowed) and says whether its structure holds:
the date it encodes exists and its check digits agree. None of them proves the number was
issued; a random number passes the weakest (BSN, Steuer-ID) about one time in eleven, which is
why those are reported only next to their cue words.
"""

from __future__ import annotations

import re
from datetime import date

from labwarden.checks.pii.validators import digits, luhn
from labwarden.checks.pii.validators import valid_date as _real_date


def _any_century(yy: int, month: int, day: int, centuries: tuple[int, ...] = (1900, 2000)) -> bool:
    return any(_real_date(c + yy, month, day) for c in centuries)


def _mod11(values: str, weights: tuple[int, ...]) -> int | None:
    """``11 - sum % 11`` (11 -> 0); ``None`` when it is 10, which no number may carry."""
    check = 11 - sum(int(d) * w for d, w in zip(values, weights, strict=True)) % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def norwegian_fodselsnummer(text: str) -> bool:
    """DDMMYY + individual number + two modulus-11 check digits (D-numbers: day + 40)."""
    d = digits(text)
    if len(d) != 11:
        return False
    k1 = _mod11(d[:9], (3, 7, 6, 1, 8, 9, 4, 5, 2))
    k2 = _mod11(d[:10], (5, 4, 3, 2, 7, 6, 5, 4, 3, 2))
    if k1 is None or k2 is None or (k1, k2) != (int(d[9]), int(d[10])):
        return False
    day, month, yy = int(d[:2]), int(d[2:4]), int(d[4:6])
    day = day - 40 if day > 40 else day  # D-number
    month = month - 40 if month > 40 else month  # H-number (assigned by hospitals)
    century = _norwegian_century(int(d[6:9]), yy)
    if century is None or not _real_date(century + yy, month, day):
        return False
    return date(century + yy, month, day) <= date.today()  # nobody is born in the future


def _norwegian_century(individual: int, yy: int) -> int | None:
    if individual < 500:
        return 1900
    if individual < 750 and yy >= 54:
        return 1800
    if yy < 40:
        return 2000
    return 1900 if individual >= 900 else None


_HETU = re.compile(r"^(\d{6})([-+ABCDEFUVWXY])(\d{3})([0-9A-Y])$")
_HETU_CENTURY = {"+": 1800, "-": 1900, "U": 1900, "V": 1900, "W": 1900, "X": 1900, "Y": 1900}
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def finnish_hetu(text: str) -> bool:
    """DDMMYY, a century sign, an individual number and a modulus-31 check character."""
    m = _HETU.match(text.strip().upper())
    if not m:
        return False
    born, sign, individual, check = m.groups()
    century = _HETU_CENTURY.get(sign, 2000)
    if not _real_date(century + int(born[4:6]), int(born[2:4]), int(born[:2])):
        return False
    if not 2 <= int(individual) <= 899:
        return False
    return _HETU_CHECK[int(born + individual) % 31] == check


def german_steuer_id(text: str) -> bool:
    """Eleven digits, no leading zero, one digit repeated in the first ten, ISO 7064 MOD 11,10."""
    d = digits(text)
    if len(d) != 11 or d[0] == "0":
        return False
    counts = sorted((d[:10].count(c) for c in set(d[:10])), reverse=True)
    if counts[0] not in (2, 3) or (len(counts) > 1 and counts[1] > 1):
        return False
    product = 10
    for c in d[:10]:
        total = (int(c) + product) % 10 or 10
        product = total * 2 % 11
    check = 11 - product
    return (0 if check == 10 else check) == int(d[10])


def dutch_bsn(text: str) -> bool:
    """Nine digits passing the eleven test (weights 9..2, the last digit -1)."""
    d = digits(text).zfill(9)
    if len(d) != 9 or int(d) == 0:
        return False
    total = sum(int(c) * w for c, w in zip(d[:8], range(9, 1, -1), strict=True)) - int(d[8])
    return total % 11 == 0


def icelandic_kennitala(text: str) -> bool:
    """DDMMYY-RRCV with a modulus-11 check digit and a century digit (persons, not companies)."""
    d = digits(text)
    if len(d) != 10 or d[9] not in "90":
        return False
    if _mod11(d[:8], (3, 2, 7, 6, 5, 4, 3, 2)) != int(d[8]):
        return False
    century = 1900 if d[9] == "9" else 2000
    return _real_date(century + int(d[4:6]), int(d[2:4]), int(d[:2]))


def polish_pesel(text: str) -> bool:
    """YYMMDD (century in the month) + serial + a weighted modulus-10 check digit."""
    d = digits(text)
    if len(d) != 11:
        return False
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    if (10 - sum(int(c) * w for c, w in zip(d[:10], weights, strict=True)) % 10) % 10 != int(d[10]):
        return False
    month = int(d[2:4])
    century = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200}
    base = century.get(month // 20 * 2, 1800) if month < 80 else 1800
    return _real_date(base + int(d[:2]), month % 20, int(d[4:6]))


_DNI = re.compile(r"^([XYZ]?)(\d{7,8})-?([A-Z])$")
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def spanish_dni(text: str) -> bool:
    """A DNI (8 digits) or NIE (X/Y/Z + 7 digits) with its modulus-23 letter."""
    m = _DNI.match(text.strip().upper().replace(" ", ""))
    if not m:
        return False
    prefix, number, letter = m.groups()
    if (prefix and len(number) != 7) or (not prefix and len(number) != 8):
        return False
    value = int(str("XYZ".index(prefix)) + number) if prefix else int(number)
    return _DNI_LETTERS[value % 23] == letter


def french_nir(text: str) -> bool:
    """Sex, YYMM, department (2A/2B for Corsica), commune, order, and a modulus-97 key."""
    value = re.sub(r"[\s.\-]", "", text.upper())
    if not re.fullmatch(r"[1-478]\d{4}(?:\d\d|2A|2B)\d{8}", value):
        return False
    body = value[:13].replace("2A", "19").replace("2B", "18")
    return 97 - int(body) % 97 == int(value[13:])


def belgian_national_number(text: str) -> bool:
    """YYMMDD + serial + a modulus-97 check (born in 2000 or later: a leading 2 is added)."""
    d = digits(text)
    if len(d) != 11:
        return False
    check = int(d[9:])
    if 97 - int(d[:9]) % 97 != check and 97 - int("2" + d[:9]) % 97 != check:
        return False
    month, day = int(d[2:4]), int(d[4:6])
    if month > 52 or month % 20 > 12 or day > 31:
        return False
    # month + 20 or + 40 marks a bis number; 00 stands for an unknown month or day
    return month == 0 or day == 0 or _any_century(int(d[:2]), month % 20, day)


_CF = re.compile(
    r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$"
)
_CF_ODD_VALUES = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22)
_CF_ODD = dict(zip("0123456789", _CF_ODD_VALUES, strict=False)) | dict(
    zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        (*_CF_ODD_VALUES[:10], *_CF_ODD_VALUES[10:], 25, 24, 23),
        strict=True,
    )
)
"""The odd-position values of the codice fiscale check (digits count as the first ten letters)."""


def italian_codice_fiscale(text: str) -> bool:
    """Sixteen characters (name, birth date and place codes) ending in a check letter."""
    value = text.strip().upper()
    if not _CF.match(value):
        return False
    total = 0
    for i, c in enumerate(value[:15]):
        if i % 2 == 0:
            total += _CF_ODD[c]
        else:
            total += int(c) if c.isdigit() else ord(c) - 65
    return chr(65 + total % 26) == value[15]


_NINO = re.compile(r"^([A-CEGHJ-PR-TW-Z])([A-CEGHJ-NPR-TW-Z])(\d{6})([A-D])$")


def uk_nino(text: str) -> bool:
    """Two letters (not the never-issued prefixes), six digits and a suffix A-D."""
    m = _NINO.match(re.sub(r"[\s\-]", "", text.upper()))
    return m is not None and m.group(1) + m.group(2) not in {
        "BG",
        "GB",
        "NK",
        "KN",
        "TN",
        "NT",
        "ZZ",
    }


_CARD_PREFIX = re.compile(
    r"^(?:4|5[1-5]|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)|3[47]|3(?:0[0-5]|[68])|"
    r"6(?:011|5|4[4-9]|22)|35(?:2[89]|[3-8]\d)|62|67|50|5[6-8]|6[39])"
)


def payment_card(text: str) -> bool:
    """13-19 digits of a known issuer prefix (Visa, Mastercard, Amex, Discover, JCB, Diners,
    Maestro, UnionPay) whose Luhn check digit holds; not one digit repeated."""
    d = digits(text)
    if not 13 <= len(d) <= 19 or len(set(d)) < 3:
        return False
    return bool(_CARD_PREFIX.match(d)) and luhn(d)


IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip
"""Length of the IBAN of each country that issues them (the SWIFT IBAN registry)."""


def iban(text: str) -> bool:
    """A country's IBAN length and the ISO 7064 MOD 97-10 check."""
    value = re.sub(r"[\s\-]", "", text.upper())
    if len(value) < 15 or not value[:2].isalpha() or not value[2:4].isdigit():
        return False
    if IBAN_LENGTHS.get(value[:2]) != len(value) or not value.isalnum() or not value.isascii():
        return False
    moved = value[4:] + value[:4]
    number = "".join(str(int(c, 36)) for c in moved)
    return int(number) % 97 == 1
