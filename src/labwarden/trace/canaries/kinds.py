"""The kinds of canary and the values they share."""

from __future__ import annotations

import secrets
from enum import StrEnum

RULE_ID = "labwarden-canary-touch"
"""The rule id of every canary alert."""
RULE_PATH = "labwarden.trace.canaries"
BEACON_PREFIX = "/c/"
"""Beacon URLs are ``BASE/c/TOKEN``."""
DEFAULT_BEACON_BASE = "http://127.0.0.1:8787"
DEFAULT_DOMAIN = "canary.invalid"
"""E-mail domain of synthetic canary rows when the lab names none (``.invalid`` never resolves;
a domain the lab controls lets its mail server report a message sent to one)."""


class CanaryKind(StrEnum):
    """What a canary is."""

    AWS_KEY = "aws-key"
    MODEL = "model"
    CREDENTIALS = "credentials"
    DATASET = "dataset"
    BEACON = "beacon"
    OBJECT = "object"


def new_token() -> str:
    """A fresh random token: 20 lowercase letters and digits (about 103 bits)."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(20))


def beacon_url(base: str, token: str) -> str:
    """The beacon URL of ``token`` under ``base``."""
    return f"{base.rstrip('/')}{BEACON_PREFIX}{token}"
