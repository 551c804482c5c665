"""The static list of checks that ``labwarden scan`` runs; add a check here to enable it."""

from __future__ import annotations

from labwarden.checks.interface import Check


def all_checks() -> list[Check]:
    """A fresh instance of every check, in the order they run."""
    from labwarden.checks.modelfile import ModelFileCheck
    from labwarden.checks.permissions import PermissionsCheck
    from labwarden.checks.pii import PiiCheck
    from labwarden.checks.privacy import ReidentificationCheck
    from labwarden.checks.secrets import SecretsCheck

    return [
        ModelFileCheck(),
        SecretsCheck(),
        PiiCheck(),
        PermissionsCheck(),
        ReidentificationCheck(),
    ]


def get_check(name: str) -> Check:
    """The check called ``name``; raises ``KeyError`` naming the known ones."""
    for check in all_checks():
        if check.name == name:
            return check
    known = ", ".join(c.name for c in all_checks()) or "none"
    raise KeyError(f"no check named {name!r} (known: {known})")
