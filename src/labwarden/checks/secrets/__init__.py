"""Secrets: find credentials in every text an asset holds, validate them, report them redacted."""

from labwarden.checks.secrets.check import SecretsCheck

__all__ = ["SecretsCheck"]
