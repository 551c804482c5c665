"""Health data in text: ICD-10 codes next to their cue words and medicines by name."""

from __future__ import annotations

import re
from collections.abc import Iterator

from labwarden.checks.pii import validators as v
from labwarden.checks.pii.interface import Document, FinderSpec, Span
from labwarden.checks.pii.lexicon import MEDICATIONS

_DIAGNOSIS = re.compile(
    r"(?i)\b(?:icd[\- ]?10(?:[\- ]?cm)?|diagnosis|diagnoses|diagnose|diagnos|dx)(?:[ _\-]?codes?)?"
    r"[\"']?\s*[:=]?\s*[\"']?(?P<value>[A-TV-Z]\d[0-9AB](?:\.[0-9A-TV-Z]{1,4})?)\b"
)


def find_diagnoses(doc: Document) -> Iterator[Span]:
    """ICD-10 codes after ``dx``, ``diagnosis`` or ``ICD-10``."""
    for begin, end in doc.lines_with(("icd", "diagnos", "dx")):
        for m in _DIAGNOSIS.finditer(doc.text, begin, end):
            if v.icd10(m.group("value")):
                yield Span(
                    "DIAGNOSIS",
                    m.start("value"),
                    m.end("value"),
                    m.group("value"),
                    0.9,
                    "cue word; ICD-10 shape",
                )


def find_medications(doc: Document) -> Iterator[Span]:
    """Generic medicine names as whole words."""
    for word in MEDICATIONS & doc.cues.keys():
        for start in doc.cues[word]:
            end = start + len(word)
            before = doc.lowered[start - 1] if start else " "
            after = doc.lowered[end] if end < len(doc.lowered) else " "
            if not (before.isalnum() or after.isalnum()):
                yield Span("MEDICATION", start, end, doc.text[start:end], 0.8, "medicine name list")


FINDERS = (
    FinderSpec("diagnoses", find_diagnoses, ("icd", "diagnos", "dx")),
    FinderSpec("medications", find_medications, tuple(sorted(MEDICATIONS))),
)
