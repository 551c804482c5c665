"""The decoder step: values a format stores encoded, decoded and judged as what they are.

A Kubernetes ``Secret`` keeps its ``data`` values in base64 (``stringData`` in clear); each value
is decoded and judged by the provider rules first (a decoded ``hf_`` token is a Hugging Face
token), else by the generic judgement of its key name (``password`` holding a password). The
finding points at the encoded value in the manifest. Docker ``auths`` and ``Authorization:
Basic`` values are decoded by their rules' validators.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterator

from labwarden.checks.secrets.interface import Examples, Hit, Rule
from labwarden.core.values import Severity

Decide = Callable[[str, str], "tuple[Rule, str, str] | None"]
"""``(decoded value, key name)`` -> ``(rule, secret, detail)`` when it is a secret."""

KUBERNETES_SECRET = Rule(
    "kubernetes-secret",
    "value of a Kubernetes Secret",
    Severity.HIGH,
    re.compile(r"(?P<secret>\S+)"),
    ("secret",),
    scope="line",
    provider="Kubernetes",
    family="kubernetes",
    remediation="Rotate the credential, keep Secret manifests out of repositories (use "
    "External Secrets, Sealed Secrets or SOPS), and remember base64 is not encryption.",
    provenance=("Kubernetes docs: Secrets (data is base64, stringData is clear text)",),
    examples=Examples(match=("kind: Secret\ndata:\n  password: <base64>",)),
)

_SEPARATOR = re.compile(r"(?m)^---[^\n]*$")
_KIND = re.compile(r"(?m)^kind:[ \t]*[\"']?Secret[\"']?[ \t]*(?:#.*)?$")
_BLOCK = re.compile(r"(?m)^(?P<indent>[ \t]*)(?P<kind>data|stringData):[ \t]*(?:#.*)?$")
_ENTRY = re.compile(
    r"(?P<indent>[ \t]+)(?P<key>[\w.\-]+)[ \t]*:[ \t]*(?P<q>[\"']?)"
    r"(?P<value>[^\s\"'#|>][^\s\"']*)(?P=q)[ \t]*(?:#.*)?"
)
_MAX_ENCODED = 64 * 1024
_PRINTABLE = re.compile(r"[\t\n\r\x20-\x7e\u00a0-\uffff]+")


def kubernetes_secret_hits(text: str, decide: Decide) -> list[Hit]:
    """Secrets in the ``data`` and ``stringData`` of every ``kind: Secret`` document."""
    hits: list[Hit] = []
    for start, end in _documents(text):
        if not _KIND.search(text, start, end):
            continue
        for block in _BLOCK.finditer(text, start, end):
            hits.extend(_block_hits(text, block, end, decide))
    return hits


def _documents(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for separator in _SEPARATOR.finditer(text):
        yield start, separator.start()
        start = separator.end()
    yield start, len(text)


def _block_hits(text: str, block: re.Match[str], end: int, decide: Decide) -> Iterator[Hit]:
    base = len(block.group("indent"))
    encoded = block.group("kind") == "data"
    for entry in _entries(text, block.end() + 1, end, base):
        raw = entry.group("value")
        value = _decoded(raw) if encoded else raw
        if value is None:
            continue
        verdict = decide(value, entry.group("key"))
        if verdict is None:
            continue
        rule, secret, detail = verdict
        how = "base64-decoded from a Kubernetes Secret" if encoded else "Kubernetes stringData"
        yield Hit(
            rule,
            secret,
            entry.start("value"),
            entry.end("value"),
            detail=f"{how}; {detail}" if detail else how,
        )


def _entries(text: str, pos: int, end: int, base: int) -> Iterator[re.Match[str]]:
    """The ``key: value`` lines indented below the block header, up to the block's end."""
    while pos < end:
        line_end = text.find("\n", pos, end)
        line_end = end if line_end < 0 else line_end
        line = text[pos:line_end]
        if line.strip() and not line.lstrip().startswith("#"):
            if len(line) - len(line.lstrip()) <= base:
                return
            entry = _ENTRY.fullmatch(text, pos, line_end)
            if entry is not None:
                yield entry
        pos = line_end + 1


def _decoded(value: str) -> str | None:
    """``value`` decoded from base64 when it is printable text, else ``None``."""
    if len(value) > _MAX_ENCODED:
        return None  # a bundle or an image, not a credential
    try:
        raw = base64.b64decode(value, validate=True)
        decoded = raw.decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return decoded if decoded and _PRINTABLE.fullmatch(decoded) else None
