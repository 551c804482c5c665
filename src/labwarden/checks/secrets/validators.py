"""Structural validation of matched values: checksums, key shapes, decodable JSON.

Each validator returns ``None`` when the value has the structure of a real credential, or a
short reason why it is not. Nothing here contacts a service to test a credential.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
import zlib
from typing import Any

from labwarden.checks.secrets.filters import (
    is_placeholder,
    is_reference,
    looks_random,
    shannon_entropy,
)
from labwarden.core import safejson

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_B32 = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def base62_crc32(data: str) -> str:
    """The 6-character base62 CRC32 that GitHub and npm append to their tokens."""
    number = zlib.crc32(data.encode("ascii"))
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    return "".join(reversed(digits)).rjust(6, "0")


def github_token(value: str, match: re.Match[str]) -> str | None:
    """Classic GitHub (``ghp_``...) and npm tokens end with a CRC32 of their random part."""
    body = value[4:-6]
    if not body.isascii():
        return "not ASCII"
    if base62_crc32(body) != value[-6:]:
        return "checksum does not match"
    return None


def github_fine_grained(value: str, match: re.Match[str]) -> str | None:
    """``github_pat_`` tokens: two random base62 parts; reject low-entropy fillers."""
    return None if shannon_entropy(value[11:]) >= 4.0 else "low entropy"


def aws_key_id(value: str, match: re.Match[str]) -> str | None:
    """AWS access key IDs: a 4-letter type prefix and 16 base32 characters."""
    if is_placeholder(value):
        return "documented example or placeholder"
    if not set(value[4:]) <= _B32:
        return "not base32"
    if len(set(value[4:])) < 6:
        return "too repetitive"
    return None


def random_token(value: str, match: re.Match[str]) -> str | None:
    """A prefixed token whose random part must look machine-made."""
    if is_placeholder(value) or is_reference(value):
        return "placeholder"
    core = value.split("_", 1)[-1] if "_" in value[:12] else value
    core = core.split("-", 1)[-1] if core.count("-") == 1 and len(core) > 20 else core
    if shannon_entropy(core) < 3.0:
        return "low entropy"
    return None


def letters_token(value: str, match: re.Match[str]) -> str | None:
    """Hugging Face tokens: a prefix and 34 letters of both cases."""
    core = value.split("_", 1)[1] if value.startswith("hf_") else value[8:]
    if is_placeholder(value) or core.islower() or core.isupper():
        return "not mixed-case random letters"
    if shannon_entropy(core) < 3.5:
        return "low entropy"
    return None


def keyed_secret(value: str, match: re.Match[str]) -> str | None:
    """A secret found next to its key name: it must look random and not be a placeholder."""
    if is_placeholder(value) or is_reference(value):
        return "placeholder or reference"
    if not looks_random(value, min_length=min(len(value), 20)):
        return "does not look random"
    return None


def hex_key(value: str, match: re.Match[str]) -> str | None:
    """A 40-hex-digit API key (Weights & Biases) must not be a placeholder or a run."""
    if is_placeholder(value) or shannon_entropy(value) < 3.0:
        return "placeholder or low entropy"
    return None


def _b64url_json(part: str) -> Any:
    padded = part + "=" * (-len(part) % 4)
    return safejson.loads(base64.urlsafe_b64decode(padded))


def jwt(value: str, match: re.Match[str]) -> str | None:
    """A JWT: the header and payload decode to JSON objects and the header names an ``alg``."""
    if is_placeholder(value):
        return "documented example"
    parts = value.split(".")
    if len(parts) != 3:
        return "not three parts"
    try:
        header = _b64url_json(parts[0])
        payload = _b64url_json(parts[1])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return "header or payload is not base64url JSON"
    if not isinstance(header, dict) or "alg" not in header or not isinstance(payload, dict):
        return "no alg in the header"
    if str(header.get("alg")).lower() != "none" and len(parts[2]) < 16:
        return "signature too short"
    return None


def jwt_detail(value: str) -> str:
    """A short description of a JWT's header and expiry for the finding."""
    parts = value.split(".")
    try:
        header = _b64url_json(parts[0])
        payload = _b64url_json(parts[1])
    except (ValueError, binascii.Error, UnicodeDecodeError, IndexError):
        return ""
    out = f"alg={header.get('alg')}"
    if isinstance(payload, dict) and isinstance(payload.get("exp"), int | float):
        out += f", exp={int(payload['exp'])}"
    return out


_PEM_BODY = re.compile(r"[A-Za-z0-9+/=]+")


def private_key(value: str, match: re.Match[str]) -> str | None:
    """A PEM or OpenSSH private key block whose body is base64 of a plausible key length."""
    body = _key_body(value)
    if body is None:
        return "body is not base64"
    if len(body) < 64:
        return "body too short for a key"
    return None


def _key_body(block: str) -> bytes | None:
    lines = block.replace("\\n", "\n").replace("\\r", "").splitlines()
    chunks = []
    for line in lines[1:]:
        text = line.strip().strip("\"',")
        if text.startswith("-----END"):
            break
        if ":" in text or not text:
            continue  # Proc-Type / DEK-Info headers of legacy encrypted PEM
        if not _PEM_BODY.fullmatch(text):
            return None
        chunks.append(text)
    try:
        return base64.b64decode("".join(chunks), validate=True)
    except (binascii.Error, ValueError):
        return None


def private_key_detail(block: str) -> tuple[str, bool]:
    """The key's type and whether it is protected by a passphrase."""
    head = block.split("-----", 2)[1] if block.count("-----") >= 2 else ""
    if "ENCRYPTED" in block or "Proc-Type: 4,ENCRYPTED" in block:
        return head.removeprefix("BEGIN ").strip(), True
    if "OPENSSH" in head:
        body = _key_body(block) or b""
        cipher = _openssh_cipher(body)
        if cipher is not None:
            return f"OpenSSH key, cipher {cipher}", cipher != "none"
    return head.removeprefix("BEGIN ").strip(), False


def _openssh_cipher(body: bytes) -> str | None:
    """The cipher name of an ``openssh-key-v1`` blob, read as bytes (never executed)."""
    magic = b"openssh-key-v1\x00"
    if not body.startswith(magic) or len(body) < len(magic) + 4:
        return None
    (length,) = struct.unpack(">I", body[len(magic) : len(magic) + 4])
    if length > 64:
        return None
    return body[len(magic) + 4 : len(magic) + 4 + length].decode("ascii", "replace")


def url_password(value: str, match: re.Match[str]) -> str | None:
    """The password of a ``scheme://user:password@host`` URL must be a literal, not a template."""
    user = match.group("user")
    if is_placeholder(value) or is_reference(value) or value.startswith((":", "$")):
        return "placeholder or reference"
    if value.lower() in {"password", "pass", "pwd", "secret", user.lower()}:
        return "placeholder"
    if user.lower() in {"user", "username", "usr"} and value.lower() in {"pass", "password"}:
        return "placeholder"
    if len(value) < 3:
        return "too short"
    return None


def cli_password(value: str, match: re.Match[str]) -> str | None:
    """A password glued to ``-p`` must be a literal (not ``-p$PASS`` or a template)."""
    if value is None or not value:
        return "no value"
    if is_placeholder(value) or is_reference(value) or value.startswith("$"):
        return "placeholder or reference"
    if _WORD_PASSWORD.fullmatch(value):
        return "a word, not a password"
    return None


_WORD_PASSWORD = re.compile(
    r"(?i)(pass(word)?|passwd|pwd|secret|name|user(name)?|admin|root)\d{0,3}"
)


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]{0,30})$")
DATABASE_SCHEMES = frozenset(
    {
        "postgres",
        "postgresql",
        "mysql",
        "mariadb",
        "mongodb",
        "mongodb+srv",
        "redis",
        "rediss",
        "amqp",
        "amqps",
        "mssql",
        "sqlserver",
        "oracle",
        "cockroachdb",
        "clickhouse",
        "snowflake",
    }
)
WEB_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "git", "ssh", "svn", "sftp"})


def url_scheme(match: re.Match[str]) -> str:
    """The scheme written before ``://`` (``postgresql+psycopg2`` -> ``postgresql``)."""
    found = _SCHEME.search(match.string, max(0, match.start() - 31), match.start())
    if not found:
        return ""
    scheme = found.group(1).lower()
    return scheme if scheme == "mongodb+srv" else scheme.split("+", 1)[0]


def database_url(value: str, match: re.Match[str]) -> str | None:
    """A database URL whose password is a literal."""
    if url_scheme(match) not in DATABASE_SCHEMES:
        return "not a database URL"
    return url_password(value, match)


def web_url(value: str, match: re.Match[str]) -> str | None:
    """An HTTP, git or FTP URL whose password is a literal."""
    if url_scheme(match) not in WEB_SCHEMES:
        return "not a web URL"
    return url_password(value, match)


def gcp_service_account(value: str, match: re.Match[str]) -> str | None:
    """A GCP service-account key: a JSON object of the right type with a 40-hex key ID."""
    try:
        document = safejson.loads(value)
    except ValueError:
        return "not a JSON object"
    if not isinstance(document, dict) or document.get("type") != "service_account":
        return "not a service account"
    key_id = str(document.get("private_key_id", ""))
    email = str(document.get("client_email", ""))
    if not re.fullmatch(r"[0-9a-f]{40}", key_id):
        return "private_key_id is not 40 hex digits"
    if not email.endswith(".gserviceaccount.com") and "@" not in email:
        return "client_email is not a service account"
    if "PRIVATE KEY" not in str(document.get("private_key", "")):
        return "no private key"
    return None


def azure_storage_key(value: str, match: re.Match[str]) -> str | None:
    """Azure storage account keys are 64 random bytes in base64."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return "not base64"
    if len(raw) != 64 or is_placeholder(value):
        return "not a 64-byte key"
    return None


def pypi_token(value: str, match: re.Match[str]) -> str | None:
    """PyPI API tokens are macaroons whose location is ``pypi.org``."""
    body = value[5:]
    try:
        raw = base64.urlsafe_b64decode(body[:64] + "=" * (-len(body[:64]) % 4))
    except (binascii.Error, ValueError):
        return "not base64url"
    return None if b"pypi.org" in raw else "not a pypi.org macaroon"


def docker_auth(value: str, match: re.Match[str]) -> str | None:
    """A Docker ``auth`` value is base64 of ``user:password``."""
    try:
        raw = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return "not base64 of user:password"
    _user, sep, password = raw.partition(":")
    if not sep or not password or is_placeholder(password):
        return "no password"
    return None


def credential_file_value(value: str, match: re.Match[str]) -> str | None:
    """A value in a file that exists to hold credentials: anything but a template counts."""
    value = value.strip("\"'")
    if not value or is_reference(value) or value.lower() in {"none", "null", "xxx", "changeme"}:
        return "empty or template"
    if value.startswith("<") or value.startswith("${"):
        return "template"
    return None
