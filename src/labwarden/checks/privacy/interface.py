"""What the re-identification check reports: its rules as data, and which tables it reads."""

from __future__ import annotations

import re
from dataclasses import dataclass

from labwarden.core.values import Severity

NAME = "privacy"

TABLE_FORMATS = frozenset({"csv", "tsv", "parquet", "sas-xpt"})
"""Formats whose quasi-identifier columns the check can load."""
SUBJECT_COLUMN = re.compile(r"subj|patient|participant|pseudonym", re.IGNORECASE)
"""Direct identifiers that name the person a row is about (several rows per subject)."""


@dataclass(frozen=True, slots=True)
class PrivacyRule:
    """One kind of finding of the check."""

    id: str
    severity: Severity
    """The severity (the risk rule raises it to high where a record is at least 50% exposed)."""


REIDENTIFICATION = PrivacyRule("reidentification-risk", Severity.MEDIUM)
"""Quasi-identifiers single people out: the risk is above the threshold."""
UNREADABLE = PrivacyRule("unreadable-table", Severity.LOW)
"""A table whose risk cannot be assessed (it cannot be read)."""
HIGH_RISK = 0.5
"""A highest record risk from which a finding is high, not medium."""
