"""Contact and financial data: e-mail addresses, phone numbers, IP addresses, cards and IBANs.

Phone numbers are candidates of phone shape (7-15 digits in groups, optionally ``+``/``00`` and a
country code) confirmed by Google's libphonenumber (the ``phonenumbers`` package, its metadata
shipped in the wheel) in the regions of the workspace's policy. Dates, times, versions and bare
digit runs are not phone numbers unless a cue word stands before them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from functools import lru_cache

from labwarden.checks.pii import checksums as c
from labwarden.checks.pii import validators as v
from labwarden.checks.pii.interface import Document, FinderSpec, Span

_EMAIL = re.compile(
    r"(?<![\w.+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b"
)


def find_emails(doc: Document) -> Iterator[Span]:
    """E-mail addresses of people (role mailboxes and example domains are left out)."""
    if "@" not in doc.text:
        return
    for m in _EMAIL.finditer(doc.text):
        if v.email(m.group(0)):
            yield Span("EMAIL", m.start(), m.end(), m.group(0), 0.95, "address shape")


_PHONE = re.compile(
    r"(?<![\w+\-./:=#@,])(?=[\d ().\-/+]{7})"
    r"(?:(?:\+|00)\d{1,3}[ .\-]?)?(?:\(0?\d{1,5}\)[ .\-]?)?"
    r"\d{1,10}(?:(?:[ .\-/]|\) ?)\d{1,10}){0,6}"
    r"(?![\w@]|[.\-/:,]\d|\s?(?:ms|us|µs|ns|s|sec|secs|min|kb|mb|gb|kib|mib|gib|bytes|%)\b)"
)
_NOT_PHONE = re.compile(
    r"^(?:\d{4}[-/.]\d\d[-/.]\d\d|\d\d?[-/.]\d\d?[-/.]\d{2,4}|\d+(?:\.\d+){2,}|"
    r"\d{1,3}(?:\.\d{1,3}){3}|\d{3}-\d{2}-\d{4})$"
)
_PHONE_CUE = re.compile(
    r"(?i)(?:phone|tel|tlf|telefon|telephone|mobile?|mob|cell|fax|call|ring|puh|puhelin|gsm|"
    r"handy|whatsapp|sms|text me|reach me|my number|mit nummer|mitt nummer|meine nummer|"
    r"mijn nummer|contact|kontakt|reachable|dial)\b[^\d\n]{0,24}$"
)


@lru_cache(maxsize=4096)
def _phone_region(value: str, regions: tuple[str, ...]) -> str | None:
    """The region in which ``value`` is a valid number, or ``None``."""
    import phonenumbers

    international = value.startswith(("+", "00"))
    candidates: tuple[str | None, ...] = (None,) if international else regions
    text = "+" + value[2:] if value.startswith("00") else value
    for region in candidates:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.region_code_for_number(number) or region or "?"
    return None


_TRUNK_ZERO = frozenset(
    {"SE", "FI", "DE", "NL", "BE", "FR", "IT", "AT", "CH", "IE", "GB", "HU", "PT", "CZ", "SK"}
)
"""Regions whose national numbers start with the trunk prefix 0."""
_EIGHT = frozenset({"DK", "NO"})
_NINE = frozenset({"ES", "PL", "PT"})
_NANP = re.compile(r"^\(?\d{3}\)?[ .\-]\d{3}[.\-]\d{4}$")


def _national_regions(value: str, regions: tuple[str, ...]) -> tuple[tuple[str, ...], float]:
    """The regions whose national format ``value`` is written in, and how phone-like it looks.

    Without a cue word only the usual national shapes count: a trunk 0, eight digits in pairs
    or fours (Denmark, Norway), nine digits (Spain, Poland), NANP ``(555) 123-4567``; a number
    of no such shape is valid somewhere by chance too often to be reported on its own.
    """
    d = v.digits(value)
    grouped = bool(re.search(r"[ ()\-./]", value))
    if value.startswith("("):
        return regions, 0.65
    if d.startswith("0"):
        return tuple(r for r in regions if r in _TRUNK_ZERO), 0.7 if grouped else 0.45
    if (
        len(d) == 8
        and grouped
        and re.fullmatch(r"\d\d(?: \d\d){3}|\d{4} \d{4}|\d{3} \d\d \d{3}", value)
    ):
        return tuple(r for r in regions if r in _EIGHT), 0.7
    if len(d) == 9 and re.fullmatch(r"\d{3}(?: \d{3}){2}|\d{3}(?: \d\d){3}", value):
        return tuple(r for r in regions if r in _NINE), 0.7
    if len(d) == 10 and _NANP.match(value):
        return tuple(r for r in regions if r in {"US", "CA"}), 0.7
    return regions, 0.45


def _phone_span(doc: Document, m: re.Match[str]) -> Span | None:
    value = m.group(0).rstrip(" .-/")
    count = len(v.digits(value))
    if not 7 <= count <= 15 or _NOT_PHONE.match(value):
        return None
    line_start = doc.line_start(m.start())
    cue = _PHONE_CUE.search(doc.text, max(line_start, m.start() - 40), m.start())
    end = m.start() + len(value)
    if value.startswith(("+", "00")):
        region = _phone_region(value, ())
        confidence, why = (0.95 if cue else 0.9), "international format"
    elif cue:
        region = _phone_region(value, doc.settings.regions)
        confidence, why = 0.95, f"cue {cue.group(0).split()[0]!r}"
    else:
        shaped, confidence = _national_regions(value, doc.settings.regions)
        region = _phone_region(value, shaped) if shaped else None
        why = "national format"
    if region is None:
        if cue and count >= 8:
            return Span("PHONE", m.start(), end, value, 0.7, "cue word; phone shape")
        return None
    return Span("PHONE", m.start(), end, value, confidence, f"{why}; valid {region} number")


def find_phones(doc: Document) -> Iterator[Span]:
    """Phone numbers in any of the settings' regions, or international."""
    for m in _PHONE.finditer(doc.text):
        span = _phone_span(doc, m)
        if span is not None:
            yield span


_IPV4 = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
    r"(?![\w]|\.\d)"
)
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){2,7}(?::|[0-9A-Fa-f]{1,4})(?![\w:])|::1\b")
_VERSION_BEFORE = re.compile(r"(?i)(?:\bv|version|ver\.?|release|build)\s*$")


@lru_cache(maxsize=65536)
def _ip_grade(value: str) -> tuple[float, str] | None:
    """How sure an address identifies someone: public 0.9, private or local 0.55."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.is_unspecified or address.is_multicast or address.is_reserved:
        return None
    if address.is_private or address.is_loopback or address.is_link_local:
        return 0.55, "private or local range"
    return 0.9, "public address"


def _ip_span(doc: Document, m: re.Match[str]) -> Span | None:
    grade = _ip_grade(m.group(0))
    if grade is None or _VERSION_BEFORE.search(doc.text, max(0, m.start() - 12), m.start()):
        return None
    return Span("IP_ADDRESS", m.start(), m.end(), m.group(0), *grade)


def find_ips(doc: Document) -> Iterator[Span]:
    """IPv4 and IPv6 addresses; private, loopback and link-local ranges graded lower."""
    if "." in doc.text:
        for m in _IPV4.finditer(doc.text):
            span = _ip_span(doc, m)
            if span is not None:
                yield span
    if ":" in doc.text:
        for m in _IPV6.finditer(doc.text):
            if m.group(0).count(":") >= 2 and not m.group(0).replace(":", "").isdigit():
                span = _ip_span(doc, m)
                if span is not None:
                    yield span


_CARD = re.compile(r"(?<![\w\-.])[2-6]\d{3}(?:[ \-]?\d){9,15}(?![\w]|[\-.]\d)")
_CARD_CUE = re.compile(
    r"(?i)(?:card|visa|master ?card|amex|american express|maestro|kort|karte|kaart|kortnummer|"
    r"\bcc\b|credit|debit|pan)\b[^\d\n]{0,24}$"
)


def find_cards(doc: Document) -> Iterator[Span]:
    """Payment card numbers: issuer prefix and Luhn check digit."""
    for m in _CARD.finditer(doc.text):
        value = m.group(0)
        if not c.payment_card(value):
            continue
        cue = _CARD_CUE.search(doc.text, max(0, m.start() - 40), m.start())
        grouped = " " in value or "-" in value
        confidence = 0.97 if cue else 0.9 if grouped else 0.6
        why = "issuer prefix and Luhn check" + ("; cue word" if cue else "")
        yield Span("CREDIT_CARD", m.start(), m.end(), value, confidence, why)


_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![\w])")


def find_ibans(doc: Document) -> Iterator[Span]:
    """IBANs: the country's length and the mod-97 check."""
    for m in _IBAN.finditer(doc.text):
        if c.iban(m.group(0)):
            yield Span("IBAN", m.start(), m.end(), m.group(0), 0.97, "country length and mod-97")


FINDERS = (
    FinderSpec("email", find_emails),
    FinderSpec("phone", find_phones),
    FinderSpec("ip", find_ips),
    FinderSpec("card", find_cards),
    FinderSpec("iban", find_ibans),
)
