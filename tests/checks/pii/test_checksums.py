"""Check digits agree with python-stdnum, an independent implementation of the same rules."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fi import hetu
from stdnum.is_ import kennitala
from stdnum.iso7064 import mod_97_10
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.no import fodselsnummer
from stdnum.pl import pesel

from labwarden.checks.pii import checksums as c


def _valid(fn: Callable[[str], bool], text: str) -> bool:
    try:
        return bool(fn(text))
    except Exception:
        return False


digits11 = st.text("0123456789", min_size=11, max_size=11)


@settings(max_examples=600, deadline=None)
@given(digits11)
def test_steuer_id_agrees_with_stdnum(text: str) -> None:
    assert c.german_steuer_id(text) == _valid(idnr.is_valid, text)


@settings(max_examples=600, deadline=None)
@given(st.text("0123456789", min_size=9, max_size=9))
def test_bsn_agrees_with_stdnum(text: str) -> None:
    assert c.dutch_bsn(text) == _valid(bsn.is_valid, text)


@settings(max_examples=600, deadline=None)
@given(digits11)
def test_pesel_agrees_with_stdnum(text: str) -> None:
    assert c.polish_pesel(text) == _valid(pesel.is_valid, text)


@settings(max_examples=600, deadline=None)
@given(digits11.filter(lambda d: int(d[2:4]) <= 12))
def test_fodselsnummer_agrees_with_stdnum(text: str) -> None:
    # H-numbers (month + 40, given by hospitals) are accepted here and not by stdnum
    assert c.norwegian_fodselsnummer(text) == _valid(fodselsnummer.is_valid, text)


@settings(max_examples=400, deadline=None)
@given(
    st.dates().map(lambda d: f"{d:%d%m%y}"),
    st.sampled_from("-+A"),
    st.integers(2, 899),
    st.sampled_from("0123456789ABCDEFHJKLMNPRSTUVWXY"),
)
def test_hetu_agrees_with_stdnum(born: str, sign: str, individual: int, check: str) -> None:
    text = f"{born}{sign}{individual:03d}{check}"
    assert c.finnish_hetu(text) == _valid(hetu.is_valid, text)


@settings(max_examples=400, deadline=None)
@given(st.text("0123456789", min_size=8, max_size=8), st.sampled_from(["", "X", "Y", "Z"]))
def test_dni_and_nie_agree_with_stdnum(number: str, prefix: str) -> None:
    body = prefix + (number[1:] if prefix else number)
    for letter in "TRWAGMYFPDXBNJZSQVHLCKE"[:6]:
        text = body + letter
        assert c.spanish_dni(text) == (_valid(dni.is_valid, text) or _valid(nie.is_valid, text))


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(["DK", "DE", "NL", "GB", "NO", "FI", "SE", "FR"]),
    st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=10, max_size=26),
)
def test_iban_mod97_agrees_with_stdnum(country: str, bban: str) -> None:
    check = 98 - int(mod_97_10.checksum(bban + country + "00")) % 97
    text = f"{country}{check:02d}{bban}"
    expected = len(text) == c.IBAN_LENGTHS[country] and mod_97_10.is_valid(bban + text[:4])
    assert c.iban(text) == expected


@pytest.mark.parametrize(
    ("fn", "good", "bad"),
    [
        (c.norwegian_fodselsnummer, ["15076500565"], ["15076500566", "32076500565"]),
        (c.finnish_hetu, ["131052-308T", "131052A308T"], ["131052-308U", "321052-308T"]),
        (c.icelandic_kennitala, ["1201743399"], ["1201743398"]),
        (c.german_steuer_id, ["86095742719"], ["86095742718", "11111111111"]),
        (c.dutch_bsn, ["111222333"], ["111222334"]),
        (c.belgian_national_number, ["85.07.30-033.28"], ["85.07.30-033.29"]),
        (c.french_nir, ["2 55 08 14 168 025 38"], ["2 55 08 14 168 025 39"]),
        (c.italian_codice_fiscale, ["RSSMRA85T10A562S"], ["RSSMRA85T10A562T"]),
        (c.uk_nino, ["AB 12 34 56 C"], ["BG 12 34 56 C", "AB 12 34 56 E"]),
        (c.payment_card, ["4556 7375 8689 9855", "378282246310005"], ["4556 7375 8689 9856"]),
        (
            c.iban,
            ["GB82 WEST 1234 5698 7654 32", "DK5000400440116243"],
            ["GB82 WEST 1234 5698 7654 33"],
        ),
    ],
)
def test_known_numbers(fn: Callable[[str], bool], good: list[str], bad: list[str]) -> None:
    assert all(fn(x) for x in good), [x for x in good if not fn(x)]
    assert not any(fn(x) for x in bad), [x for x in bad if fn(x)]


def test_icelandic_and_italian_agree_on_examples() -> None:
    assert c.icelandic_kennitala("1201743399") == kennitala.is_valid("1201743399")
    assert c.italian_codice_fiscale("RSSMRA85T10A562S") == codicefiscale.is_valid(
        "RSSMRA85T10A562S"
    )


@given(st.text(max_size=40))
def test_any_text_is_a_yes_or_a_no(text: str) -> None:
    for fn in (
        c.norwegian_fodselsnummer,
        c.finnish_hetu,
        c.icelandic_kennitala,
        c.german_steuer_id,
        c.dutch_bsn,
        c.polish_pesel,
        c.spanish_dni,
        c.french_nir,
        c.belgian_national_number,
        c.italian_codice_fiscale,
        c.uk_nino,
        c.payment_card,
        c.iban,
    ):
        assert fn(text) in (True, False)
