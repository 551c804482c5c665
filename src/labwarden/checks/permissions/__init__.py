"""Permissions: loose modes on restricted assets and keys, world-writable models, odd owners."""

from labwarden.checks.permissions.check import PermissionsCheck

__all__ = ["PermissionsCheck"]
