"""What the permissions check works with: its rules (data) and the files it treats as keys."""

from __future__ import annotations

from dataclasses import dataclass

from labwarden.core.values import Severity

NAME = "permissions"
MAX_LISTED = 20
"""Paths listed in one finding's evidence (the count says how many there are)."""

PRIVATE_KEY_FORMATS = frozenset(
    {"ssh-private-key", "pem-private-key", "private-key", "putty-key", "pkcs12", "java-keystore"}
)
"""Formats of files that must be readable by their owner only."""


@dataclass(frozen=True, slots=True)
class PermissionRule:
    """One kind of loose permission."""

    id: str
    severity: Severity
    summary: str
    remediation: str
