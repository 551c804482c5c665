"""Viewers never see what a secret looked like: every preview :func:`redact` makes, and the short
hash that follows it, are taken out of any text that quotes them."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from labwarden.checks.secrets.redact import redact, secret_hash
from labwarden.web.views.redact import WITHHELD, finding_for, withhold_secrets


@given(st.text(min_size=1, max_size=80), st.text(max_size=30), st.integers(1, 10**6))
def test_any_quoted_secret_is_taken_out(value: str, title: str, line: int) -> None:
    shown, digest = redact(value), secret_hash(value)
    message = f"{title} {shown} sha256:{digest} (line {line})"
    document: dict[str, Any] = {
        "message": message,
        "reasons": [{"reason": f"{message} (/lab/x.py:{line})"}],
    }
    seen = withhold_secrets(document, False)
    assert seen["message"] == f"{title} (line {line})"
    assert seen["reasons"][0]["reason"] == f"{title} (line {line}) (/lab/x.py:{line})"
    assert withhold_secrets(document, True) == document


def test_other_text_is_left_alone() -> None:
    document = {
        "uri": "s3://lab/ds…(draft)/a.csv",
        "digest": "sha256:" + "ab" * 32,
        "n": 3,
        "why": ["a … b", None],
    }
    assert withhold_secrets(document, False) == document


def test_a_viewer_gets_neither_evidence_nor_preview_of_a_secret() -> None:
    finding = {
        "check": "secrets",
        "message": f"AWS key {redact('AKIAZZZZEXAMPLE12345')} sha256:{secret_hash('x')} (line 2)",
        "evidence": {"secret": "AKIA…(20 chars)"},
    }
    seen = finding_for(finding, False)
    assert seen == {"check": "secrets", "message": "AWS key (line 2)", "evidence": WITHHELD}
    assert finding_for(finding, True) == finding
    other = {"check": "pii", "message": "e…(9 chars)", "evidence": {"x": 1}}
    assert finding_for(other, False) == other
