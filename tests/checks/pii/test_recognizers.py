"""Each family of recognizers on text written the ways people write, and on look-alikes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.checks.pii.entities import find_entities
from labwarden.checks.pii.interface import Settings


def found(text: str, settings_: Settings | None = None) -> list[tuple[str, str]]:
    return [(s.entity, s.text) for s in find_entities(text, settings_)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fødselsnummer: 15076500565", ("NO_FODSELSNUMMER", "15076500565")),
        ("henkilötunnus 131052-308T", ("FI_HETU", "131052-308T")),
        ("Steuer-ID (IdNr): 86 095 742 719", ("DE_STEUER_ID", "86 095 742 719")),
        ("BSN nummer 111222333", ("NL_BSN", "111222333")),
        ("kennitala 120174-3399", ("IS_KENNITALA", "120174-3399")),
        ("PESEL 44051401359", ("PL_PESEL", "44051401359")),
        ("rijksregisternummer 85.07.30-033.28", ("BE_NATIONAL_NUMBER", "85.07.30-033.28")),
        ("codice fiscale RSSMRA85T10A562S", ("IT_CODICE_FISCALE", "RSSMRA85T10A562S")),
        ("DNI 12345678Z", ("ES_DNI", "12345678Z")),
        ("national insurance number AB 12 34 56 C", ("UK_NINO", "AB 12 34 56 C")),
        ("CPR-nr.: 120561-1234", ("DK_CPR", "120561-1234")),
        ("personnummer 811218-9876", ("SE_PERSONNUMMER", "811218-9876")),
        ("passport no. X1234567", ("PASSPORT", "X1234567")),
        ("my passport number is 627933641", ("PASSPORT", "627933641")),
        ("driver's license D1234-5678", ("DRIVER_LICENSE", "D1234-5678")),
        ("kørekort 12345678", ("DRIVER_LICENSE", "12345678")),
        ("journalnummer 4481923", ("MRN", "4481923")),
        ("Subject 101-004 withdrew", ("SUBJECT_ID", "101-004")),
    ],
)
def test_identifiers_next_to_their_cue(text: str, expected: tuple[str, str]) -> None:
    assert expected in found(text)


def test_strong_identifiers_stand_without_a_cue() -> None:
    assert found("ref 131052-308T") == [("FI_HETU", "131052-308T")]
    assert found("ref 15076500565") == [("NO_FODSELSNUMMER", "15076500565")]
    # a BSN-shaped number passes the eleven test one time in eleven: never without a cue
    assert found("order 111222333 shipped") == []


def test_wrong_check_digits_are_not_identifiers() -> None:
    for text in ("fnr 15076500566", "hetu 131052-308U", "BSN 111222334", "Steuer-ID 86095742718"):
        assert not [e for e, _ in found(text) if e != "PHONE"], text


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("call me on 07700 900 123", "07700 900 123"),
        ("tlf 20 12 34 56", "20 12 34 56"),
        ("+45 20 12 34 56", "+45 20 12 34 56"),
        ("reach me at (212) 555-0143 tomorrow", "(212) 555-0143"),
        ("mi número es 699 956 915", "699 956 915"),
        ("Tel. 040 70554194", "040 70554194"),
        ("0046 70 123 45 67", "0046 70 123 45 67"),
    ],
)
def test_phone_numbers_in_national_and_international_formats(text: str, phone: str) -> None:
    assert ("PHONE", phone) in found(text)


def test_numbers_that_are_not_phones() -> None:
    lines = [
        "build 2026-10-01 finished in 800-785-2993 ms",
        "step=500 took 12345678 ns, version 1.2.3.4",
        "order 200 1234 total",
        "ts 1696147200000",
    ]
    assert [e for e, _ in found("\n".join(lines)) if e == "PHONE"] == []


def test_regions_from_the_policy_narrow_phone_numbers() -> None:
    text = "ring 20 12 34 56"  # Danish shape with a cue
    assert found(text, Settings(regions=("DK",))) == [("PHONE", "20 12 34 56")]
    assert found("see 20 12 34 56", Settings(regions=("GB",))) == []


def test_cards_ibans_and_ips() -> None:
    text = (
        "card 4556 7375 8689 9855, iban GB82 WEST 1234 5698 7654 32, from 192.168.1.7 and 8.8.8.8"
    )
    spans = find_entities(text)
    assert [(s.entity, s.text) for s in spans] == [
        ("CREDIT_CARD", "4556 7375 8689 9855"),
        ("IBAN", "GB82 WEST 1234 5698 7654 32"),
        ("IP_ADDRESS", "192.168.1.7"),
        ("IP_ADDRESS", "8.8.8.8"),
    ]
    private, public = spans[2], spans[3]
    assert private.confidence < public.confidence
    assert "private" in private.evidence
    assert found("card 4556 7375 8689 9856") == []  # Luhn fails
    assert found("running v10.2.3.4") == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Krisztián Szöllösy and Szabina J Gelencsér met", "Szabina J Gelencsér"),
        ("Krisztián Szöllösy and Szabina J Gelencsér met", "Krisztián Szöllösy"),
        ("Spoke with Maria Jensen about dosing", "Maria Jensen"),
        ("Contact Dr. Takahashi tomorrow", "Takahashi"),
        ("Best regards,\nSiobhan Brennan\nClinical Research Associate", "Siobhan Brennan"),
        ("hej! jag heter Lottelore, ring mig", "Lottelore"),
        ("my name is maria jensen", "maria jensen"),
        ("Journalnotat: Trofin Crouse (fnr 15076500565)", "Trofin Crouse"),
        ("Dear Lars,", "Lars"),
    ],
)
def test_person_names(text: str, name: str) -> None:
    assert ("PERSON", name) in found(text)


def test_capitalized_words_that_are_not_people() -> None:
    lines = [
        "Model Card: Tox Classifier v2, trained by the Discovery Team at Acme Labs",
        "INFO Started Training Job on GPU Node 3",
        "Released Protein Language Model today",
        "model name: Tox Classifier, run name=docking-run-7",
        "Will May Page Rose",
    ]
    assert [t for e, t in found("\n".join(lines)) if e == "PERSON"] == []


def test_ages_and_birth_dates_as_people_write_them() -> None:
    text = (
        "i'm 31 y/o. She is a 45-year-old; aged 62; 31 år gammal; 40 Jahre alt; "
        "born on March 3rd, 1985; DOB 03/04/85; født 3. marts 1985; geboren am 12.05.1970"
    )
    got = found(text)
    assert [t for e, t in got if e == "AGE"] == ["31", "45", "62", "31", "40"]
    assert [t for e, t in got if e == "DATE_OF_BIRTH"] == [
        "March 3rd, 1985",
        "03/04/85",
        "3. marts 1985",
        "12.05.1970",
    ]
    assert found("trained for 3 years; 100% of 45 runs; released 2026-10-01") == []


def test_addresses_places_and_organizations() -> None:
    text = (
        "bor på Nørrebrogade 12, 2200 København N. Hauptstraße 5, 10115 Berlin. "
        "1600 Pennsylvania Ave NW, Washington, DC 20500. 221 Baker Street, London NW1 6XE. "
        "Keizersgracht 123, 1015 CJ Amsterdam. Storgatan 5, 114 55 Stockholm. "
        "She lives in Aarhus and works at Novo Nordisk A/S and Rigshospitalet."
    )
    got = found(text)
    assert [t for e, t in got if e == "ADDRESS"] == [
        "Nørrebrogade 12, 2200 København N",
        "Hauptstraße 5, 10115 Berlin",
        "1600 Pennsylvania Ave NW, Washington, DC 20500",
        "221 Baker Street, London NW1 6XE",
        "Keizersgracht 123, 1015 CJ Amsterdam",
        "Storgatan 5, 114 55 Stockholm",
    ]
    assert ("LOCATION", "Aarhus") in got
    assert ("ORGANIZATION", "Novo Nordisk A/S") in got
    assert ("ORGANIZATION", "Rigshospitalet") in got


def test_every_span_says_how_sure_and_why() -> None:
    for span in find_entities("Spoke with Maria Jensen, tel +45 20 12 34 56, CPR 120561-1234"):
        assert 0.5 <= span.confidence <= 1.0
        assert span.evidence


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_spans_are_inside_the_text_and_do_not_overlap(text: str) -> None:
    end = -1
    for span in find_entities(text):
        assert text[span.start : span.end] == span.text
        assert span.start >= end
        end = span.end


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Maria",
                "Jensen",
                "+45",
                "20",
                " ",
                "\n",
                "(",
                ")",
                "-",
                "CPR",
                "1205611234",
                "ø",
                "@",
            ]
        ),
        max_size=80,
    )
)
def test_hostile_mixtures_never_raise(parts: list[str]) -> None:
    text = "".join(parts)
    for span in find_entities(text):
        assert text[span.start : span.end] == span.text
