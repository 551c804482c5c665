"""The one root exception and its documented exit codes.

Every error a user can cause is a :class:`LabwardenError` with a message that names the file and
what is wrong. The CLI catches it once, prints the message to stderr and exits with ``exit_code``.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the ``labwarden`` command (documented in the README)."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    INTERNAL = 3


class LabwardenError(Exception):
    """Root of every labwarden error; ``message`` is shown to the user as is."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(LabwardenError):
    """A file, path or option given by the user cannot be used."""


class WorkspaceError(LabwardenError):
    """The workspace or its catalog is missing, locked or from a newer labwarden."""


class PolicyError(LabwardenError):
    """The policy file is not valid TOML or does not follow the policy schema."""
