"""Shapes that look like secrets and are not: encrypted values, digests, lock files, ids.

The generic rule asks these before it reports a secret-named value; provider rules need none of
them because their structure (prefix, length, checksum) already says what the value is.
"""

from __future__ import annotations

import re

from labwarden.checks.secrets.checksums import bech32_valid
from labwarden.checks.secrets.filters import is_encrypted as encrypted_envelope

LOCK_FILES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lock",
        "deno.lock",
        "poetry.lock",
        "pipfile.lock",
        "pdm.lock",
        "uv.lock",
        "conda-lock.yml",
        "cargo.lock",
        "go.sum",
        "gemfile.lock",
        "composer.lock",
        "packages.lock.json",
        "gradle.lockfile",
        "flake.lock",
        "mix.lock",
        "pubspec.lock",
        "podfile.lock",
        "requirements.lock",
        "renv.lock",
    }
)
"""Files of package hashes and resolved URLs: the generic rule stays out (provider rules and
URL credentials still run, since a token in a resolved URL is still a token)."""

_SEALED = re.compile(r"^Ag[A-D][A-Za-z0-9+/]{200,}={0,2}$")
_DIGEST = re.compile(
    r"^(?:sha1|sha224|sha256|sha384|sha512|md5|blake2b|blake3|xxh64|h1)[-:~][A-Za-z0-9+/=_\-]{16,}$"
)
_CAMEL_NOT_SECRET = re.compile(
    r"(?:Name|Names|Id|Ids|ID|Uri|URI|Url|URL|Path|Ref|Refs|Arn|ARN|Type|Kind|KeyId|KeyID|"
    r"Header|Field|Label|Prefix|Suffix|Env|Var|Endpoint|Region|Version|Length|Count|Size|"
    r"Policy|Expiry|Expiration|Provider|Store|Location|Mode|Format|Pattern|Hint|Placeholder)$"
)
_NOT_SECRET_WORDS = re.compile(
    r"(?i)(csrf|xsrf|authenticity_token|nonce|^state$|_state$|integrity|checksum|digest|"
    r"fingerprint|thumbprint|public[_\-.]?key|pubkey|publishable|client[_\-.]?id|"
    r"tenant[_\-.]?id|account[_\-.]?id|project[_\-.]?id|subscription[_\-.]?id|app[_\-.]?id|"
    r"vault[_\-.]?(?:name|url|uri)|secret[_\-.]?(?:name|ref|path|arn|id|version)|"
    r"token[_\-.]?(?:uri|url|endpoint|type|name|path|file)|key[_\-.]?(?:vault|name|file|path|alias))"
)


def is_lock_file(path: str) -> bool:
    """Whether ``path`` names a package lock file."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return name in LOCK_FILES or name.endswith(".lock")


def is_encrypted(value: str) -> bool:
    """SOPS ``ENC[AES256_GCM,...]``, Ansible Vault, Vault transit, age armor, or a Bitnami
    sealed secret (``AgB...``, encrypted to the cluster's key)."""
    bare = value.strip("\"' ")
    return encrypted_envelope(bare) or bool(_SEALED.match(bare))


def is_digest(value: str) -> bool:
    """A labelled content digest (``sha512-...`` integrity, ``sha256:...``, go.sum ``h1:``)."""
    return bool(_DIGEST.match(value))


def is_age_recipient(value: str) -> bool:
    """An age public key (``age1...``), which is meant to be shared."""
    return value.startswith("age1") and bech32_valid(value)


def names_no_secret(name: str) -> bool:
    """Key names that hold ids, names, references, digests or CSRF tokens, not credentials."""
    bare = name.strip("\"'[]$@")
    return bool(_CAMEL_NOT_SECRET.search(bare) or _NOT_SECRET_WORDS.search(bare))


def allowlisted(name: str, value: str) -> bool:
    """Whether ``name = value`` is one of the shapes this module knows to be no secret."""
    return (
        names_no_secret(name) or is_encrypted(value) or is_digest(value) or is_age_recipient(value)
    )
