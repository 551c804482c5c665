"""Errors of sealing and verification; each names the file and what is wrong."""

from __future__ import annotations

from labwarden.core.errors import ExitCode, InputError, LabwardenError


class SealKeyError(InputError):
    """A key is missing, unreadable, of an unsupported type, or its passphrase is wrong."""


class SealFormatError(InputError):
    """A seal (bundle, envelope, statement or manifest) is malformed, truncated or inconsistent."""


class SignatureError(InputError):
    """A signature does not verify, or was made by a key that is not trusted."""


class HashingError(InputError):
    """A file cannot be hashed: unreadable, a link leaving the folder, or changed while read."""


class SealRefused(LabwardenError):
    """The asset has open critical findings: sealing it would sign what is known to be bad.

    Exits 1 (findings) rather than 2: nothing was wrong with the request itself. Accept or fix
    the findings (``labwarden findings``), or seal anyway with ``force``."""

    exit_code = ExitCode.FINDINGS
