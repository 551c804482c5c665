"""Run Presidio's pattern recognizers (no NLP engine, no model) over texts; print JSON spans.

Executed with the peers venv's Python by ``evaluate.py``: ``python presidio_runner.py IN.json``.
"""

from __future__ import annotations

import json
import sys

from presidio_analyzer.predefined_recognizers import (
    EmailRecognizer,
    NhsRecognizer,
    PhoneRecognizer,
    SePersonnummerRecognizer,
    UsSsnRecognizer,
)

MAP = {
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "US_SSN": "US_SSN",
    "UK_NHS": "UK_NHS",
    "SE_PERSONNUMMER": "SE_PERSONNUMMER",
}


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        texts = json.load(handle)
    recognizers = [
        EmailRecognizer(),
        PhoneRecognizer(),
        UsSsnRecognizer(),
        NhsRecognizer(),
        SePersonnummerRecognizer(),
    ]
    out = []
    for text in texts:
        spans = []
        for recognizer in recognizers:
            for result in recognizer.analyze(text, recognizer.supported_entities, None):
                if result.score >= 0.4 and result.entity_type in MAP:
                    spans.append([MAP[result.entity_type], result.start, result.end])
        out.append(spans)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
