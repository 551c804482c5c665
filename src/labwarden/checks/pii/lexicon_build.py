"""Rebuild the name, place and common-word lists in ``data/`` from Faker's locale providers.

Run ``python -m labwarden.checks.pii.lexicon_build`` with Faker installed (the ``dev`` extra has
it); labwarden itself never imports Faker. Faker (MIT, see ``data/NOTICE``) keeps given names and
surnames of about 80 locales, city and region names, and lorem word lists of common words; these
are written lower-cased, one per line, gzip-compressed, so the check runs offline with no
dependency. Scripts without case (Arabic, Hebrew, CJK, Indic, Thai) are left out: the recognizer
reads capitalization as evidence and cannot use them.
"""

from __future__ import annotations

import gzip
import importlib
import pkgutil
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from labwarden.store.atomic import atomic_write

DATA = Path(__file__).with_name("data")
_PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "dos",
        "das",
        "du",
        "la",
        "le",
        "el",
        "al",
        "bin",
        "ibn",
        "ter",
        "ten",
        "af",
        "av",
        "zu",
    ]
)
_CITY_LOCALES = [
    "cs_CZ",
    "da_DK",
    "de_AT",
    "de_CH",
    "de_DE",
    "fi_FI",
    "hr_HR",
    "it_IT",
    "nl_BE",
    "nl_NL",
    "pl_PL",
    "pt_PT",
    "ro_RO",
    "sk_SK",
    "sl_SI",
    "sv_SE",
    "en_IN",
    "el_GR",
    "ru_RU",
    "uk_UA",
]
_LOREM_LOCALES = ["da_DK", "de_DE", "en_US", "nl_NL"]


def _cased(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return bool(letters) and all(c.lower() != c.upper() for c in letters)


def _words(values: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for value in values:
        for part in unicodedata.normalize("NFC", value).replace("-", " ").split():
            word = part.strip(".,()'").lower()
            if len(word) >= 2 and _cased(word) and word not in _PARTICLES:
                out.add(word)
    return out


def _values(obj: Any, names: Iterable[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        value = vars(obj).get(name)
        if isinstance(value, dict):
            out.extend(str(k) for k in value)
        elif isinstance(value, list | tuple):
            out.extend(str(v) for v in value)
    return out


def _providers(package: str) -> Iterable[tuple[str, Any]]:
    base = importlib.import_module(package)
    for module in pkgutil.iter_modules(base.__path__):
        yield module.name, importlib.import_module(f"{package}.{module.name}").Provider


def build() -> dict[str, set[str]]:
    """The word lists, by file name."""
    given: set[str] = set()
    surnames: set[str] = set()
    for _, provider in _providers("faker.providers.person"):
        given |= _words(
            _values(
                provider,
                ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary"),
            )
        )
        surnames |= _words(
            _values(provider, ("last_names", "last_names_male", "last_names_female"))
        )
    places: set[str] = set()
    for locale, provider in _providers("faker.providers.address"):
        fields = ["countries", "states", "provinces", "regions"]
        if locale in _CITY_LOCALES:
            fields += ["cities", "city_names"]
        for value in _values(provider, fields):
            name = unicodedata.normalize("NFC", value).strip().lower()
            if _cased(name.replace(" ", "").replace("-", "")) and len(name) >= 3:
                places.add(name)
    common: set[str] = set()
    for locale, provider in _providers("faker.providers.lorem"):
        if locale in _LOREM_LOCALES:
            common |= _words(_values(provider, ("word_list",)))
    return {
        "given_names.txt.gz": given,
        "surnames.txt.gz": surnames,
        "places.txt.gz": places,
        "common_words.txt.gz": common,
    }


def main() -> None:
    """Write the lists into ``data/``."""
    for name, words in build().items():
        text = "\n".join(sorted(words)) + "\n"
        atomic_write(DATA / name, gzip.compress(text.encode("utf-8"), mtime=0))
        print(f"{name}: {len(words)} entries")


if __name__ == "__main__":
    main()
