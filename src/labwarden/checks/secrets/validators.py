"""Structural validation of matched values: checksums, key shapes, decodable JSON.

Each validator returns ``None`` when the value has the structure of a real credential, or a
short reason why it is not. Nothing here contacts a service to test a credential.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
import urllib.parse
from typing import Any

from labwarden.checks.secrets.checksums import armor_crc_matches, base62_crc32, bech32_valid
from labwarden.checks.secrets.filters import (
    is_pathlike,
    is_placeholder,
    is_reference,
    looks_random,
    shannon_entropy,
)
from labwarden.checks.secrets.interface import Validator
from labwarden.core import safejson

__all__ = ["VALIDATORS", "base62_crc32"]

_B32 = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


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
    if shannon_entropy(_without_prefix(value)) < 3.0:
        return "low entropy"
    return None


_PREFIX = re.compile(r"^[A-Za-z0-9]{1,12}[_\-.](?=.{16})")


def _without_prefix(value: str) -> str:
    """``value`` without a short leading ``xoxb-``/``hf_``/``dp.`` style prefix."""
    return _PREFIX.sub("", value, count=1)


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


def age_secret_key(value: str, match: re.Match[str]) -> str | None:
    """An ``AGE-SECRET-KEY-1...`` key is Bech32 with a valid checksum."""
    return None if bech32_valid(value) else "Bech32 checksum does not match"


_PGP_SECRET_TAGS = frozenset({5})


def pgp_private_key(value: str, match: re.Match[str]) -> str | None:
    """An armored OpenPGP private key: base64 body, a secret-key packet, the CRC-24 if present."""
    body, checksum = _armor_body(value)
    if body is None or len(body) < 32:
        return "armor body is not base64 of a key"
    if checksum and not armor_crc_matches(body, checksum):
        return "armor checksum does not match"
    first = body[0]
    tag = first & 0x3F if first & 0x40 else (first >> 2) & 0x0F
    if not first & 0x80 or tag not in _PGP_SECRET_TAGS:
        return "first packet is not a secret key"
    return None


def _armor_body(block: str) -> tuple[bytes | None, str]:
    lines = block.replace("\\n", "\n").replace("\r", "").splitlines()[1:]
    chunks: list[str] = []
    checksum = ""
    headers = True
    for raw in lines:
        text = raw.strip().strip("\"',")
        if text.startswith("-----END"):
            break
        if headers and (":" in text or not text):
            continue  # Version:, Comment: and the blank line after them
        headers = False
        if text.startswith("=") and len(text) == 5:
            checksum = text
        elif text:
            chunks.append(text)
    try:
        return base64.b64decode("".join(chunks), validate=True), checksum
    except (binascii.Error, ValueError):
        return None, checksum


def onepassword_service_account(value: str, match: re.Match[str]) -> str | None:
    """``ops_`` + base64url JSON naming the account's sign-in address and user auth."""
    try:
        document = _b64url_json(value.removeprefix("ops_"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return "not base64url JSON"
    if not isinstance(document, dict) or "signInAddress" not in document:
        return "no signInAddress"
    if not {"userAuth", "srpX", "muk", "secretKey"} & set(document):
        return "no credential material"
    return None


_NGC_DECODED = re.compile(
    r"[A-Za-z0-9]{26}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)


def ngc_legacy_key(value: str, match: re.Match[str]) -> str | None:
    """A legacy NGC API key is base64 of ``<26 alphanumerics>:<UUID>``."""
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("ascii")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return "not base64"
    return None if _NGC_DECODED.fullmatch(raw) else "does not decode to key:UUID"


def azure_sas_signature(value: str, match: re.Match[str]) -> str | None:
    """A SAS ``sig`` is base64 of an HMAC-SHA256: 32 bytes once URL-decoded."""
    return _base64_of(urllib.parse.unquote(value), 32) or random_token(value, match)


def shared_access_key(value: str, match: re.Match[str]) -> str | None:
    """Service Bus, Event Hubs and IoT Hub shared access keys are 32 random bytes in base64."""
    return _base64_of(value, 32) or random_token(value, match)


def _base64_of(value: str, size: int) -> str | None:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return "not base64"
    if len(raw) != size:
        return f"not {size} bytes"
    return None if not is_placeholder(value) else "placeholder"


_UUID_SHAPE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def keyed_uuid(value: str, match: re.Match[str]) -> str | None:
    """A UUID named as a provider's key (Heroku, Snyk): random, not a placeholder or run."""
    if not _UUID_SHAPE.fullmatch(value) or is_placeholder(value):
        return "placeholder"
    if shannon_entropy(value.replace("-", "")) < 3.0:
        return "low entropy"
    return None


def basic_auth(value: str, match: re.Match[str]) -> str | None:
    """An ``Authorization: Basic`` value is base64 of ``user:password`` with a real password."""
    return docker_auth(value, match)


def password_literal(value: str, match: re.Match[str]) -> str | None:
    """A password in a settings file (NuGet, Maven, .netrc): a literal, not a template."""
    value = value.strip("\"'")
    if credential_file_value(value, match) is not None or cli_password(value, match) is not None:
        return "template or word"
    if value.startswith("{") and value.endswith("}"):
        return "encrypted with the settings master password"
    if is_pathlike(value):
        return "a path"
    if len(value) < 4:
        return "too short"
    return None


_CONNSTR_CONTEXT = re.compile(
    r"(?i)(?:server|data source|host|address|addr|user id|uid|user|username|database|"
    r"initial catalog|dsn|driver|provider|port)\s*="
)


def connection_string_password(value: str, match: re.Match[str]) -> str | None:
    """``Password=`` counts inside a connection string: another key=value pair is near it."""
    start = max(0, match.start() - 300)
    around = match.string[start : match.end() + 300]
    if not _CONNSTR_CONTEXT.search(around) or ";" not in around:
        return "not in a connection string"
    return password_literal(value.strip("'\"{}"), match)


def base64_password(value: str, match: re.Match[str]) -> str | None:
    """An .npmrc ``_password`` is the password in base64."""
    try:
        raw = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return "not base64"
    return password_literal(raw, match)


VALIDATORS: dict[str, Validator] = {
    "age-bech32": age_secret_key,
    "aws-key-id": aws_key_id,
    "azure-sas-signature": azure_sas_signature,
    "azure-storage-key": azure_storage_key,
    "base64-password": base64_password,
    "basic-auth": basic_auth,
    "connection-string-password": connection_string_password,
    "cli-password": cli_password,
    "credential-file-value": credential_file_value,
    "database-url": database_url,
    "docker-auth": docker_auth,
    "gcp-service-account": gcp_service_account,
    "github-crc32": github_token,
    "github-fine-grained": github_fine_grained,
    "hex-key": hex_key,
    "jwt": jwt,
    "keyed-secret": keyed_secret,
    "keyed-uuid": keyed_uuid,
    "letters-token": letters_token,
    "ngc-legacy": ngc_legacy_key,
    "onepassword-service-account": onepassword_service_account,
    "password-literal": password_literal,
    "pgp-private-key": pgp_private_key,
    "private-key": private_key,
    "pypi-macaroon": pypi_token,
    "random-token": random_token,
    "shared-access-key": shared_access_key,
    "url-password": url_password,
    "web-url": web_url,
}
"""Validators by the name rules use for them in the rule data."""
