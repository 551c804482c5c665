"""Value filters shared by the rules: entropy, placeholders, references and documented examples."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter

# Values published in vendor documentation and tutorials; they grant nothing.
KNOWN_EXAMPLES = frozenset(
    {
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        "AKIAI44QH8DHBEXAMPLE",
        "ASIAIOSFODNN7EXAMPLE",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwi"
        "aWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "xoxb-not-a-real-token-this-will-not-work",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "gho_16C7e42F292c6912E7710c838347Ae178B4a",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
    }
)

_PLACEHOLDER = re.compile(
    r"(?i)(example|sample|dummy|placeholder|changeme|change[_-]?me|replace[_-]?me|your[_-]|"
    r"<[^>]*>|\{\{|\$\{|%\(|xxxx|\*\*\*|\.\.\.|fake|mock|redacted|insert[_-]|put[_-]?your|"
    r"my[_-]?(secret|password|token|key)|secret[_-]?here|token[_-]?here|key[_-]?here|"
    r"^(test|testing|secret|password|passwd|token|none|null|nil|undefined|true|false|"
    r"default|admin|root|guest|user|username|pass|required|optional|string|str|bytes|"
    r"env|environ|value|empty|unset|todo|tbd|fixme|passphrase|secretkey)$|not[_-]?a[_-]?real|not[_-]?real|"
    r"^[a-z]+[_-]?(token|key|secret|password)$|(^|[_-])(test|testing|dummy|demo)([_-]|$))"
)
_REFERENCE = re.compile(
    r"#[a-z_]{3,}#|%\(\w+\)[sdr]|\{\}|^%[A-Za-z_][A-Za-z0-9_]*%$|"
    r"^(\$[A-Za-z_{(]|\$$|@[A-Za-z_.]+\(|@\{|&|\{|\(|\[|![A-Za-z]|os\.|process\.env|env\.|ENV\[|getenv|"
    r"environ|secrets\.|vault:|ssm:|arn:|projects/[^/]+/secrets/|self\.|this\.|config\.|"
    r"settings\.|args\.|kwargs)"
)
_ENCRYPTED = re.compile(
    r"^[\"']?(?:ENC\[(?:AES256_GCM|PKCS7|GPG|KMS|AGE)|\$ANSIBLE_VAULT;|vault:v\d+:|"
    r"-----BEGIN (?:AGE|PGP) (?:ENCRYPTED FILE|MESSAGE)|\{cipher\}|ENC\(|!vault\b)"
)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_PATHLIKE = re.compile(
    r"^(/|\./|\.\./|~/|[A-Za-z]:\\)|\.(json|pem|key|txt|ya?ml|cfg|ini|env|crt|p12|pfx|jks|py|sh|"
    r"csv|parquet|log|md|html?)$|/[^/]*\.[A-Za-z][A-Za-z0-9]{1,11}$"
)
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_WORD = re.compile(r"(?:[a-z]{1,16}|[A-Z][a-z]{1,16}|[A-Z]{1,16})")


def shannon_entropy(value: str) -> float:
    """Bits per character of ``value`` (0 for an empty string)."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def is_placeholder(value: str) -> bool:
    """Whether ``value`` reads as a template, an example or a word rather than a secret."""
    if value in KNOWN_EXAMPLES or value.endswith("EXAMPLE") or value.endswith("EXAMPLEKEY"):
        return True
    if _PLACEHOLDER.search(value):
        return True
    if len(set(value)) <= 3:
        return True
    return _is_sequence(value)


def _is_sequence(value: str) -> bool:
    """``abcdef123456``-like runs: each character one after the previous."""
    core = re.sub(r"[^A-Za-z0-9]", "", value).lower()
    if len(core) < 6:
        return False
    steps = sum(1 for a, b in itertools.pairwise(core) if ord(b) - ord(a) == 1)
    return steps >= len(core) * 0.7


def is_reference(value: str) -> bool:
    """Whether ``value`` names where a secret comes from instead of holding it (or holds it
    encrypted: SOPS ``ENC[AES256_GCM,...]``, Ansible Vault, Vault transit, age armor)."""
    if _REFERENCE.search(value) or "${" in value or "{{" in value:
        return True
    return is_encrypted(value)


def is_encrypted(value: str) -> bool:
    """Whether ``value`` is ciphertext in a known envelope (SOPS, Ansible Vault, Vault transit)."""
    return bool(_ENCRYPTED.match(value))


def is_uuid(value: str) -> bool:
    """Whether ``value`` is a UUID (identifiers such as client IDs, not credentials)."""
    return bool(_UUID.match(value))


def is_pathlike(value: str) -> bool:
    """Whether ``value`` is a file path or file name."""
    return bool(_PATHLIKE.search(value))


def is_hex(value: str) -> bool:
    """Whether ``value`` is made of hexadecimal digits only."""
    return bool(_HEX.match(value))


def char_classes(value: str) -> int:
    """How many of lower case, upper case, digits and symbols ``value`` uses."""
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


def _wordish(value: str) -> bool:
    """Words joined by ``_``, ``-``, ``.`` or spaces (``max_new_tokens``, ``Bearer-Token``)."""
    return all(_WORD.fullmatch(part) for part in re.split(r"[_\-. ]", value))


def looks_random(value: str, *, min_length: int = 16) -> bool:
    """Whether ``value`` has the length, alphabet mix and entropy of a machine-made token."""
    if len(value) < min_length or is_uuid(value) or _wordish(value):
        return False
    entropy = shannon_entropy(value)
    if is_hex(value):
        return len(value) >= 32 and entropy >= 3.0 and not value.isdigit()
    if value.isdigit():
        return False
    has_digit = any(c.isdigit() for c in value)
    has_alpha = any(c.isalpha() for c in value)
    if has_digit and has_alpha:
        return entropy >= 3.3
    return len(value) >= 24 and entropy >= 4.0
