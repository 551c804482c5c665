"""Secrets of people: argon2 password hashes, API tokens and session secrets (stored as digests).

API tokens and session secrets are 256-bit random values, so a SHA-256 digest is enough to store
them (nobody can guess one to brute-force); passwords are chosen by people and get argon2id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache
from typing import TYPE_CHECKING

from labwarden.core.errors import InputError

if TYPE_CHECKING:
    from argon2 import PasswordHasher

TOKEN_PREFIX = "lw_"  # noqa: S105 - a public prefix, not a secret
"""API tokens start with this, so that secret scanners (ours included) can recognize them."""
MIN_PASSWORD = 12
"""Characters a password needs at least."""
MAX_PASSWORD = 1024


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    try:
        from argon2 import PasswordHasher
    except ImportError as exc:  # pragma: no cover - the extra is part of dev
        raise InputError(
            "users and the web server need the web extra: pip install 'labwarden[web]'"
        ) from exc
    return PasswordHasher()


def require_extra() -> None:
    """Raise :class:`InputError` (exit 2) unless the ``web`` extra is installed."""
    _hasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``; :class:`InputError` when it is too short or long."""
    if len(password) < MIN_PASSWORD:
        raise InputError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"a password may have at most {MAX_PASSWORD} characters")
    return _hasher().hash(password)


def check_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the stored hash (always ``False`` without one)."""
    if stored is None or len(password) > MAX_PASSWORD:
        _hasher().hash("timing-equalizer-password")  # as slow as a real check
        return False
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A new API token (shown once, stored as :func:`digest`)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_secret() -> str:
    """A new session secret or CSRF token."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The SHA-256 hex digest under which a token or session secret is stored."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(a.encode("utf-8", "replace"), b.encode("utf-8", "replace"))
