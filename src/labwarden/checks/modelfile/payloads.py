"""Payloads hidden in data: nested pickles (raw, base64 or hex), code, shell commands and URLs in
strings of pickles and metadata. Pure pattern matching on bytes; nothing is decoded into code."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from labwarden.checks.modelfile.pickle_ops import is_pickle
from labwarden.core.values import Severity

_CODE = re.compile(
    rb"(?:\bos\.(?:system|popen|exec\w*|spawn\w*)|\bsubprocess\.\w+|__import__|\beval\s*\(|"
    rb"\bexec\s*\(|\bimport\s+(?:os|subprocess|socket|sys|base64|pty|ctypes)\b|"
    rb"base64\.b64decode|\bpickle\.loads?\b|\bmarshal\.loads\b|\bcompile\s*\(|"
    rb"__globals__|__builtins__|__subclasses__)"
)
_SHELL = re.compile(
    rb"(?:\brm\s+-[a-z]*[rf]|\bcurl\s+-?\S|\bwget\s+\S|\bchmod\s+[+0-7]|\|\s*(?:ba|z)?sh\b|"
    rb"/bin/(?:ba|z)?sh\b|\bnc\s+-[a-z]*[el]|\bpowershell\b|\bcmd(?:\.exe)?\s+/c\b|\bmkfifo\b|"
    rb"/dev/tcp/|\bbash\s+-c\b|\bsh\s+-c\b)",
    re.IGNORECASE,
)
_SCRIPT = re.compile(rb"<script\b|javascript:", re.IGNORECASE)
_URL = re.compile(rb"\b(?:https?|ftp)://[^\s'\"<>)\]}]+", re.IGNORECASE)
_B64 = re.compile(rb"[A-Za-z0-9+/]{20,}={0,2}|[A-Za-z0-9_-]{20,}={0,2}")
_HEX = re.compile(rb"(?:[0-9a-fA-F]{2}){12,}|(?:\\x[0-9a-fA-F]{2}){8,}")
_TRUSTED_HOSTS = (
    "huggingface.co",
    "hf.co",
    "github.com",
    "githubusercontent.com",
    "arxiv.org",
    "pytorch.org",
    "tensorflow.org",
    "apache.org",
    "opensource.org",
    "creativecommons.org",
    "python.org",
    "scikit-learn.org",
    "numpy.org",
    "doi.org",
    "openai.com",
    "google.com",
    "microsoft.com",
    "nvidia.com",
    "meta.com",
    "wikipedia.org",
    "example.org",
)
_RISKY_URL = re.compile(
    rb"exfil|payload|stage\d|/c2\b|c2\.|shell|backdoor|evil|malware|attacker|\.sh\b|\.exe\b|"
    rb"\.ps1\b|\.py\b|\.bat\b|pastebin|ngrok|webhook|callback|\.onion",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Payload:
    """One thing found in a string."""

    kind: str
    """``nested-pickle``, ``encoded-code``, ``code``, ``shell``, ``script``, ``url``."""
    severity: Severity
    detail: str
    snippet: str
    decoded: bytes | None = None
    """The nested pickle bytes, for the caller to analyze."""
    encoding: str = ""

    @property
    def notable(self) -> bool:
        """Whether to report it: everything but a URL of low severity (names a host, no more)."""
        return not (self.kind == "url" and self.severity < Severity.MEDIUM)


def looks_like_pickle(data: bytes) -> bool:
    """Whether ``data`` looks like a pickle stream (binary header or a protocol 0 GLOBAL)."""
    if len(data) >= 4 and data[0] == 0x80 and 1 <= data[1] <= 5:
        return data.rstrip()[-1:] == b"." or len(data) > 64
    return len(data) >= 4 and is_pickle(data, strict=True)


def snippet(data: bytes, limit: int = 80) -> str:
    """A printable excerpt of ``data``."""
    text = data[:limit].decode("utf-8", "backslashreplace")
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text + ("..." if len(data) > limit else "")


def _decode_b64(text: bytes) -> bytes | None:
    if len(text) % 4 == 1:
        return None
    padded = text + b"=" * (-len(text) % 4)
    try:
        if b"-" in text or b"_" in text:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


def _decode_hex(text: bytes) -> bytes | None:
    raw = text.replace(b"\\x", b"") if text.startswith(b"\\x") else text
    try:
        return bytes.fromhex(raw.decode("ascii"))
    except ValueError:
        return None


# Literal hints checked with `in` (C speed) before the regular expressions run: most strings in
# a model (names, sentences, tokens) contain none of them, and the regexes cost 10-20x more.
_CODE_HINTS = (
    b"os.",
    b"subprocess",
    b"__",
    b"eval",
    b"exec",
    b"import",
    b"b64decode",
    b"pickle",
    b"marshal",
    b"compile",
)
_SHELL_HINTS = (
    b"rm ",
    b"curl",
    b"wget",
    b"chmod",
    b"|",
    b"/bin/",
    b"nc ",
    b"powershell",
    b"cmd",
    b"mkfifo",
    b"/dev/tcp",
    b"bash",
    b"sh -c",
)


def scan_text(data: bytes, *, urls: bool = True, depth: int = 0) -> list[Payload]:
    """Payloads in one string value (bytes of its UTF-8 text)."""
    if looks_like_pickle(data):
        return [
            Payload(
                "nested-pickle", Severity.MEDIUM, "a pickle stored as data", snippet(data), data
            )
        ]
    found: list[Payload] = []
    if depth < 2 and (b"\\x" in data or any(len(token) >= 20 for token in data.split())):
        found += _encoded(data, depth)
    low = data.lower()
    found += _plain(data, low)
    if urls and b"://" in data:
        found += _urls(data)
    return found


def _encoded(data: bytes, depth: int) -> list[Payload]:
    """Pickles and code hidden in base64 or hex runs."""
    found: list[Payload] = []
    for match in _B64.finditer(data):
        token = match.group(0)
        if len(token) < 20 or (token.isalpha() and token.lower() == token):
            continue
        decoded = _decode_b64(token)
        if decoded:
            found.extend(_decoded(decoded, "base64", token, depth))
    for match in _HEX.finditer(data):
        decoded = _decode_hex(match.group(0))
        if decoded:
            found.extend(_decoded(decoded, "hex", match.group(0), depth))
    return found


def _plain(data: bytes, low: bytes) -> list[Payload]:
    """Python code, shell commands and HTML scripts in clear text."""
    found: list[Payload] = []
    code = _CODE.search(data) if any(h in low for h in _CODE_HINTS) else None
    if code:
        detail = f"Python code ({code.group(0).decode()})"
        found.append(Payload("code", Severity.MEDIUM, detail, snippet(data)))
    shell = _SHELL.search(data) if any(h in low for h in _SHELL_HINTS) else None
    if shell:
        detail = f"a shell command ({shell.group(0).decode(errors='replace')})"
        found.append(Payload("shell", Severity.MEDIUM, detail, snippet(data)))
    if (b"<script" in low or b"javascript:" in low) and _SCRIPT.search(data):
        found.append(Payload("script", Severity.MEDIUM, "an HTML script", snippet(data)))
    return found


def _urls(data: bytes) -> list[Payload]:
    """The first URL worth naming."""
    for match in _URL.finditer(data):
        url = match.group(0)
        severity = url_severity(url)
        if severity is not None:
            return [Payload("url", severity, f"a URL ({snippet(url, 120)})", snippet(data))]
    return []


def url_severity(url: bytes) -> Severity | None:
    """How suspicious a URL in model data is (``None`` for well-known documentation hosts)."""
    try:
        parts = urlsplit(url.decode("utf-8", "replace"))
    except ValueError:
        return Severity.MEDIUM
    host = (parts.hostname or "").lower()
    if any(host == h or host.endswith("." + h) for h in _TRUSTED_HOSTS):
        return None
    if parts.scheme == "http" or re.fullmatch(r"[\d.]+|\[[0-9a-f:]+\]", host):
        return Severity.MEDIUM
    if _RISKY_URL.search(url):
        return Severity.MEDIUM
    return Severity.LOW


def _decoded(decoded: bytes, encoding: str, token: bytes, depth: int) -> list[Payload]:
    if looks_like_pickle(decoded):
        return [
            Payload(
                "nested-pickle",
                Severity.MEDIUM,
                f"a {encoding}-encoded pickle",
                snippet(token),
                decoded,
                encoding,
            )
        ]
    inner = [p for p in scan_text(decoded, urls=False, depth=depth + 1) if p.kind != "url"]
    return [
        Payload(
            "encoded-code",
            Severity.MEDIUM,
            f"{p.detail} hidden in {encoding}",
            snippet(token),
            p.decoded,
            encoding,
        )
        for p in inner
    ]
