"""The keyword-driven generic rules: a secret-named key assigned a literal that looks secret.

Key names decide whether a line is a candidate (``api_key``, ``password``, ``client_secret``);
the value decides whether it is a secret (not a placeholder, a reference, a path, a UUID, an
identifier; random enough for tokens, not a word for passwords).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

from labwarden.checks.secrets.allowlist import allowlisted
from labwarden.checks.secrets.filters import (
    char_classes,
    is_hex,
    is_pathlike,
    is_placeholder,
    is_reference,
    is_uuid,
    looks_random,
)
from labwarden.checks.secrets.interface import Rule
from labwarden.checks.secrets.rules import RULES
from labwarden.core.values import Severity

KEYWORDS = (
    "passw",
    "passphrase",
    "_pass",
    "pass_",
    "pass=",
    "pass:",
    "pwd",
    "secret",
    "token",
    "key",
    "auth_",
    "_auth",
    "auth=",
    "auth:",
    'auth"',
    "auth'",
    "authorization",
    "cred",
)
"""Lower-case words whose lines may assign a secret (``pass`` alone would hit every Python
``pass`` statement, ``auth`` every author line)."""

QUOTED_FORMATS_ONLY = frozenset(
    {
        "python",
        "javascript",
        "typescript",
        "java",
        "go",
        "rust",
        "c",
        "cpp",
        "scala",
        "r",
        "julia",
        "cuda",
        "notebook",
        "terraform",
        "json",
        "sql",
        "sas",
    }
)
"""Formats where an unquoted value is an expression (``token = get_token()``), not a literal."""

_QUOTED = re.compile(
    r"(?<![\w.\-$@])(?P<name>[A-Za-z_$@][\w.\-]{0,80}+)[\"'\]]*\s*"
    r"(?::\s*[A-Za-z_][\w\[\], .|]{0,40}?\s*=|:=|=>|\+=|=|:)\s*[rbuRBU]?"
    r"(?P<q>[\"'`])(?P<value>[^\"'`\n]{4,400})(?P=q)"
)
_UNQUOTED = re.compile(
    r"(?<![\w.\-$@])(?P<name>[A-Za-z_$@][\w.\-]{0,80}+)\s*(?:=|:)\s*(?P<value>[^\s\"'`,;]{6,400}+)"
    r"(?=$|[\s,;])"
)
_CONNSTR = re.compile(
    r"(?i);\s*(?P<name>password|pwd|passwd)\s*=\s*(?P<value>[^;\"'\s()]{4,128}+)"
    r"(?=;|\"|'|\s|$)"
)
_XML = re.compile(r"<(?P<name>[A-Za-z_][\w.\-]{0,60})>(?P<value>[^<>\s]{4,300})</(?P=name)>")
_XML_ADD = re.compile(
    r'<add\s+key\s*=\s*"(?P<name>[^"]{1,80})"\s+value\s*=\s*"(?P<value>[^"\n]{4,400})"'
)
_FLAG = re.compile(r"--(?P<name>[A-Za-z][\w\-]{1,40})[= ](?P<q>[\"']?)(?P<value>[^\s\"']{6,400}+)")

SECRET_NAME = re.compile(
    r"(?i)(passw(?:or)?d|passwd|pwd|passphrase|secret|token|api[_.\-]?key|apikey|"
    r"access[_.\-]?key|auth[_.\-]?key|private[_.\-]?key|signing[_.\-]?key|encryption[_.\-]?key|"
    r"master[_.\-]?key|credentials?|^pass$|_pass$|^key$|[_.\-]key$|^auth$|_auth$)"
)
PASSWORD_NAME = re.compile(r"(?i)(passw(?:or)?d|passwd|pwd|passphrase|^pass$|_pass$)")
NOT_SECRET_NAME = re.compile(
    r"(?i)([_.\-](type|name|names|id|ids|len|length|size|url|uri|path|file|filename|dir|field|"
    r"prompt|label|placeholder|header|column|col|env|var|format|pattern|regex|policy|expiry|"
    r"expires|expiration|ttl|count|limit|min|max|num|hash|hashed|algorithm|algo|class|prefix|"
    r"suffix|index|idx|mode|hint|input|template|ref|endpoint|host|port|region|version|enabled|"
    r"required|scope|scopes|usage|store|provider|manager|source|location|arn|key_id|keyid|"
    r"bucket|strength|validator|validation|reset|policy|rotation|attr|kind|hasher|hashers|"
    r"encoder|scheme|method|auth_type)$|key_?id$|tokeniz|^max_|^min_|"
    r"^num_|^n_|token_count|tokens$|_tokens?_id|sort_?key|primary_?key|foreign_?key|"
    r"partition_?key|dict_?key|cache_?key|key_?fn|keyfunc|^keys$|hotkey|keyboard|keyword|"
    r"keymap|monkey|turkey|donkey|jockey|keystroke|bypass|compass|passenger|passage|passive|"
    r"(bos|eos|pad|unk|sep|cls|mask)_token$|random_key|rng_key|prng_key|key_?len)"
)
NOT_PASSWORDS = frozenset(
    {
        "argon2",
        "argon2id",
        "bcrypt",
        "scrypt",
        "pbkdf2",
        "pbkdf2_sha256",
        "sha256",
        "sha512",
        "md5",
        "plain",
        "plaintext",
        "required",
        "optional",
        "hidden",
        "masked",
        "password1",
    }
)
_AUTH_PREFIX = re.compile(r"(?i)^(bearer|token|basic)\s+")
_WORDY_SEGMENT = re.compile(
    r"^([a-z]{1,14}|[A-Z][a-z]{1,14}|[A-Z]{1,8}|\d{1,6}|[a-z]{1,4}\d{1,3}|\d{1,3}[a-z]{1,3})$"
)

GENERIC_SECRET = Rule(
    "generic-secret",
    "secret-named value that looks like a credential",
    Severity.HIGH,
    _QUOTED,
    KEYWORDS,
    scope="line",
)
GENERIC_PASSWORD = Rule(
    "generic-password",
    "hard-coded password",
    Severity.HIGH,
    _QUOTED,
    KEYWORDS,
    scope="line",
    remediation="Change the password and read it from a secret store or the environment.",
)


def is_identifier_like(value: str) -> bool:
    """Whether ``value`` is a dotted or dashed name (``model.layers.0``, ``my-bucket-2``)."""
    parts = [p for p in re.split(r"[._\-/:]", value) if p]
    return len(parts) >= 2 and all(_WORDY_SEGMENT.match(p) for p in parts)


def judge(name: str, value: str) -> tuple[Rule, str] | None:
    """The generic rule that ``name = value`` breaks, with a detail, or ``None``."""
    if not SECRET_NAME.search(name) or NOT_SECRET_NAME.search(name):
        return None
    value = _AUTH_PREFIX.sub("", value.strip())
    if not _literal(name, value):
        return None
    if PASSWORD_NAME.search(name):
        return (GENERIC_PASSWORD, "password literal") if _password_like(value) else None
    return (GENERIC_SECRET, _basic_detail(value)) if _token_like(name, value) else None


def _literal(name: str, value: str) -> bool:
    """A value written out (not a placeholder, reference, path, id, URL or known shape)."""
    if len(value) < 6 or is_placeholder(value) or is_reference(value) or is_pathlike(value):
        return False
    if " " in value.strip() or is_uuid(value) or value.startswith(("http://", "https://")):
        return False
    if _TYPE_EXPRESSION.fullmatch(value):
        return False  # ``name: Final[str] = ...`` read as ``name: value``
    return not allowlisted(name, value) and not provider_shaped(value) and not owned(name)


_TYPE_EXPRESSION = re.compile(r"[A-Za-z_][\w.]*\[[\w\[\], .|]*\]")


def _password_like(value: str) -> bool:
    if value.lower() in NOT_PASSWORDS or (value.isalpha() and value.islower() and len(value) < 10):
        return False
    if is_identifier_like(value) and value.lower() == value and not any(c.isdigit() for c in value):
        return False
    return char_classes(value) >= 2 or len(value) >= 12


def _token_like(name: str, value: str) -> bool:
    if is_identifier_like(value) or not looks_random(value):
        return False
    if name.lower().strip("\"'") in ("key", "auth") and re.search(r"[/.]", value):
        return False  # a bare ``key`` is as often an object key or a dotted name
    if name.lower().strip("\"'") == "auth" and _basic_detail(value) == "base64 text":
        return False  # base64 of something that is not user:password
    digest_name = re.search(r"(?i)hash|digest|sha|md5", name)
    return not (is_hex(value) and len(value) in (32, 40, 64) and digest_name)


def provider_shaped(value: str) -> bool:
    """Whether ``value`` starts like a provider's token; such a value is that provider's to
    judge, and one its rule rejected (bad checksum, wrong length) is not a secret."""
    return value.startswith(_PROVIDER_PREFIXES)


def owned(name: str) -> bool:
    """Whether a provider rule owns the key ``name`` (``WANDB_API_KEY``): the value is that
    rule's to judge, and one it rejected is not that provider's secret."""
    bare = name.strip("\"'[]$@")
    return any(pattern.search(bare) for pattern in _OWNERS)


_OWNERS = tuple(r.owns for r in RULES if r.owns is not None)
_PROVIDER_PREFIXES = tuple(
    sorted(
        {a for r in RULES if r.anchored for a in r.anchors if len(a) >= 3 and a[0].isalnum()},
        key=len,
        reverse=True,
    )
)


def _basic_detail(value: str) -> str:
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return "high-entropy literal"
    if ":" in decoded:
        return "base64 of user:password"
    return "base64 text" if decoded.isprintable() else "high-entropy literal"


def find_generic(
    text: str, spans: list[tuple[int, int]], fmt: str
) -> Iterator[tuple[Rule, str, int, int, str]]:
    """Yield ``(rule, value, start, end, detail)`` for every generic secret on the ``spans``."""
    candidates = [(_QUOTED, ""), (_CONNSTR, ";"), (_FLAG, "--"), (_XML_ADD, "<add")]
    if fmt not in QUOTED_FORMATS_ONLY:
        candidates += [(_UNQUOTED, ""), (_XML, "</")]
    # a pattern whose literal the text lacks cannot match: one C-level search instead of many
    patterns = [pattern for pattern, needs in candidates if needs in text]
    for start, end in spans:
        seen: set[int] = set()
        for pattern in patterns:
            for match in pattern.finditer(text, start, end):
                value_start = match.start("value")
                if value_start in seen:
                    continue
                verdict = judge(match.group("name"), match.group("value"))
                if verdict is None:
                    continue
                seen.add(value_start)
                rule, detail = verdict
                yield rule, match.group("value"), value_start, match.end("value"), detail
