"""What a viewer may not see: the (already redacted) evidence of secrets findings.

Analysts and admins see a secret's redacted evidence (where it is, its kind, a masked preview) to
rotate it; viewers see that there is a finding and where, not what the secret looked like.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

SECRET_CHECKS = frozenset({"secrets"})
WITHHELD = {"withheld": "the evidence of secrets is shown to analysts and admins only"}
PREVIEW = re.compile(r" ?[\w-]{0,4}\u2026\(\d+ chars\)(?: sha256:[0-9a-f]{16}(?![0-9a-f]))?")
"""A secret as :func:`labwarden.checks.secrets.redact.redact` shows it (a short prefix and its
length), with the short hash that follows it in messages: text that quotes a secret's evidence
(a finding's message, an asset's reason, a priority's why) carries it."""

T = TypeVar("T")


def finding_for(document: dict[str, Any], may_see_secrets: bool) -> dict[str, Any]:
    """``document`` (a finding as JSON) as the reader may see it."""
    if may_see_secrets or document.get("check") not in SECRET_CHECKS:
        return document
    return withhold_secrets({**document, "evidence": dict(WITHHELD)}, may_see_secrets)


def withhold_secrets(document: T, may_see_secrets: bool) -> T:
    """``document`` (JSON-ready) with every quoted secret preview and hash taken out of its
    strings, for a reader who may not see them (unchanged for one who may)."""
    if may_see_secrets:
        return document
    return _scrubbed(document)  # type: ignore[no-any-return]


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return PREVIEW.sub("", value) if "\u2026" in value else value
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(v) for v in value]
    return value
