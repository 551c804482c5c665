"""Building blocks of the labelled free-text sets: a span-recording writer and value generators.

Identifiers are drawn at random and kept only when python-stdnum (an independent implementation
of the same check digits) accepts them, so the sets do not lean on labwarden's own validators.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from stdnum import luhn as std_luhn
from stdnum.de import idnr
from stdnum.dk import cpr
from stdnum.fi import hetu
from stdnum.iso7064 import mod_97_10
from stdnum.nl import bsn
from stdnum.no import fodselsnummer
from stdnum.se import personnummer
from stdnum.us import ssn


@dataclass
class Sample:
    """A text, its style and language, and its labelled spans ``(entity, start, end)``."""

    text: str
    spans: list[tuple[str, int, int]] = field(default_factory=list)
    style: str = ""
    language: str = "en"


class Writer:
    """Concatenates text pieces and records where each labelled piece lands."""

    def __init__(self, style: str, language: str = "en") -> None:
        self.parts: list[str] = []
        self.spans: list[tuple[str, int, int]] = []
        self.pos = 0
        self.style = style
        self.language = language

    def add(self, text: str, entity: str | None = None) -> Writer:
        """Append ``text``, labelled ``entity`` when given."""
        if entity:
            self.spans.append((entity, self.pos, self.pos + len(text)))
        self.parts.append(text)
        self.pos += len(text)
        return self

    def sample(self) -> Sample:
        """The finished sample."""
        return Sample("".join(self.parts), self.spans, self.style, self.language)


def _until(rng: random.Random, make: Callable[[], str], valid: Callable[[str], bool]) -> str:
    for _ in range(100_000):
        value = make()
        if valid(value):
            return value
    raise RuntimeError("no valid value generated")


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def birth(rng: random.Random, start: int = 1935, years: int = 70) -> date:
    """A random date of birth."""
    return date(start, 1, 1) + timedelta(days=rng.randrange(365 * years))


def dk_cpr(rng: random.Random) -> str:
    """A Danish CPR number ``DDMMYY-SSSS``."""
    return _until(
        rng,
        lambda: f"{birth(rng):%d%m%y}-{rng.randrange(0, 4)}{_digits(rng, 3)}",
        cpr.is_valid,
    )


def se_pnr(rng: random.Random) -> str:
    """A Swedish personnummer ``YYMMDD-NNNC``."""
    return _until(rng, lambda: f"{birth(rng):%y%m%d}-{_digits(rng, 4)}", personnummer.is_valid)


def no_fnr(rng: random.Random) -> str:
    """A Norwegian fødselsnummer (11 digits)."""
    return _until(
        rng,
        lambda: f"{birth(rng, 1941, 58):%d%m%y}{rng.randrange(0, 500):03d}{_digits(rng, 2)}",
        fodselsnummer.is_valid,
    )


def fi_hetu(rng: random.Random) -> str:
    """A Finnish HETU ``DDMMYY-NNNC``."""

    def make() -> str:
        d = birth(rng)
        sign = "-" if d.year < 2000 else "A"
        body = f"{d:%d%m%y}{rng.randrange(2, 900):03d}"
        return f"{body[:6]}{sign}{body[6:]}{'0123456789ABCDEFHJKLMNPRSTUVWXY'[int(body) % 31]}"

    return _until(rng, make, hetu.is_valid)


def de_idnr(rng: random.Random) -> str:
    """A German Steuer-ID (11 digits, often written in groups)."""
    value = _until(rng, lambda: str(rng.randrange(1, 10)) + _digits(rng, 10), idnr.is_valid)
    return value if rng.random() < 0.5 else f"{value[:2]} {value[2:5]} {value[5:8]} {value[8:]}"


def nl_bsn(rng: random.Random) -> str:
    """A Dutch BSN (9 digits)."""
    return _until(rng, lambda: _digits(rng, 9), bsn.is_valid)


def us_ssn(rng: random.Random) -> str:
    """A US SSN ``AAA-GG-SSSS``."""
    return _until(
        rng,
        lambda: (
            f"{rng.randrange(1, 665):03d}-{rng.randrange(1, 99):02d}-{rng.randrange(1, 9999):04d}"
        ),
        ssn.is_valid,
    )


def uk_nhs(rng: random.Random) -> str:
    """A UK NHS number ``NNN NNN NNNN``."""
    while True:
        base = [rng.randrange(10) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(base, range(10, 1, -1), strict=True)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            s = "".join(map(str, base)) + str(check)
            return f"{s[:3]} {s[3:6]} {s[6:]}"


_CARD_PREFIXES = ("4", "51", "52", "53", "54", "55", "2221", "34", "37", "6011")


def card(rng: random.Random) -> str:
    """A payment card number with a valid Luhn digit, grouped as printed."""
    prefix = rng.choice(_CARD_PREFIXES)
    length = 15 if prefix in ("34", "37") else 16
    body = prefix + _digits(rng, length - len(prefix) - 1)
    number = body + std_luhn.calc_check_digit(body)
    if rng.random() < 0.3:
        return number
    sep = rng.choice([" ", "-"])
    if length == 15:
        return f"{number[:4]}{sep}{number[4:10]}{sep}{number[10:]}"
    return sep.join(number[i : i + 4] for i in range(0, 16, 4))


_IBAN_SHAPES = {"DK": 14, "DE": 18, "NL": 4, "GB": 4, "NO": 11, "SE": 20, "FI": 14, "FR": 23}


def iban(rng: random.Random) -> str:
    """An IBAN of a European country, in groups of four or compact."""
    country = rng.choice(sorted(_IBAN_SHAPES))
    n = _IBAN_SHAPES[country]
    if country in ("NL", "GB"):
        bban = "".join(rng.choice(string.ascii_uppercase) for _ in range(4)) + _digits(
            rng, 10 if country == "NL" else 14
        )
    else:
        bban = _digits(rng, n)
    check = 98 - int(mod_97_10.checksum(bban + country + "00")) % 97
    value = f"{country}{check:02d}{bban}"
    if not mod_97_10.is_valid(bban + value[:4]):
        return iban(rng)
    return (
        value if rng.random() < 0.3 else " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    )


def ip(rng: random.Random, private: bool | None = None) -> str:
    """An IPv4 address, public or private."""
    if private if private is not None else rng.random() < 0.4:
        return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    first = rng.choice([31, 62, 80, 91, 145, 185, 193, 212])
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def email(rng: random.Random, first: str, last: str) -> str:
    """A personal e-mail address built from a name."""
    local = rng.choice([f"{first}.{last}", f"{first[0]}{last}", f"{first}{rng.randrange(10, 99)}"])
    domain = rng.choice(
        ["regionh.dk", "nhs.net", "ki.se", "charite.de", "gmail.com", "outlook.com"]
    )
    ascii_local = local.lower().encode("ascii", "ignore").decode()
    return f"{ascii_local}@{domain}"
