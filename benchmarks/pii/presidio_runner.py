"""Run Presidio's analyzer with a blank spaCy pipeline over texts; print JSON spans and timing.

Executed with the peers venv's Python by ``evaluate.py``: ``python presidio_runner.py IN.json``.
A blank pipeline has no NER model, so only Presidio's pattern, checksum and phonenumbers
recognizers run (and its context words, matched on the blank tokenizer's tokens); PERSON,
LOCATION and ORGANIZATION would need a spaCy model, which is not downloaded.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

MAP = {
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP_ADDRESS",
    "US_SSN": "US_SSN",
    "UK_NHS": "UK_NHS",
    "SE_PERSONNUMMER": "SE_PERSONNUMMER",
    "FI_PERSONAL_IDENTITY_CODE": "FI_HETU",
    "UK_NINO": "UK_NINO",
    "ES_NIF": "ES_DNI",
    "ES_NIE": "ES_DNI",
    "IT_FISCAL_CODE": "IT_CODICE_FISCALE",
    "PL_PESEL": "PL_PESEL",
    "US_PASSPORT": "PASSPORT",
    "US_DRIVER_LICENSE": "DRIVER_LICENSE",
    "PERSON": "PERSON",
    "LOCATION": "LOCATION",
    "ORGANIZATION": "ORGANIZATION",
    "NRP": "NRP",
}


def _offline_tldextract() -> None:
    """Presidio's e-mail recognizer asks tldextract, which would fetch the public suffix list."""
    import tldextract  # type: ignore[import-not-found,unused-ignore]

    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())


def _engine() -> Any:
    _offline_tldextract()
    import presidio_analyzer  # type: ignore[import-not-found,unused-ignore]
    import spacy  # type: ignore[import-not-found,unused-ignore]
    from presidio_analyzer import predefined_recognizers as known
    from presidio_analyzer.nlp_engine import (  # type: ignore[import-not-found,unused-ignore]
        SpacyNlpEngine,
    )

    nlp_engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    nlp_engine.nlp = {"en": spacy.blank("en")}
    registry = presidio_analyzer.RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    # recognizers of other countries are not in the default English set: add them, as English
    for name in EXTRA:
        cls = getattr(known, name, None)
        if cls is not None:
            registry.add_recognizer(cls(supported_language="en"))
    return presidio_analyzer.AnalyzerEngine(
        registry=registry, nlp_engine=nlp_engine, supported_languages=["en"]
    )


EXTRA = (
    "SePersonnummerRecognizer",
    "FiPersonalIdentityCodeRecognizer",
    "UkNinoRecognizer",
    "EsNifRecognizer",
    "EsNieRecognizer",
    "ItFiscalCodeRecognizer",
    "PlPeselRecognizer",
)


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        texts: list[str] = json.load(handle)
    threshold = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    engine = _engine()
    out = []
    start = time.process_time()
    for text in texts:
        results = engine.analyze(text=text, language="en", score_threshold=threshold)
        out.append([[MAP[r.entity_type], r.start, r.end] for r in results if r.entity_type in MAP])
    took = time.process_time() - start
    json.dump({"spans": out, "cpu_seconds": took}, sys.stdout)


if __name__ == "__main__":
    main()
