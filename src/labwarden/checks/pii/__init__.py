"""PII and PHI: classify table columns and find personal data in logs and text."""

from labwarden.checks.pii.check import PiiCheck

__all__ = ["PiiCheck"]
