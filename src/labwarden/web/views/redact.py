"""What a viewer may not see: the (already redacted) evidence of secrets findings.

Analysts and admins see a secret's redacted evidence (where it is, its kind, a masked preview) to
rotate it; viewers see that there is a finding and where, not what the secret looked like.
"""

from __future__ import annotations

from typing import Any

SECRET_CHECKS = frozenset({"secrets"})
WITHHELD = {"withheld": "the evidence of secrets is shown to analysts and admins only"}


def finding_for(document: dict[str, Any], may_see_secrets: bool) -> dict[str, Any]:
    """``document`` (a finding as JSON) as the reader may see it."""
    if may_see_secrets or document.get("check") not in SECRET_CHECKS:
        return document
    return {**document, "evidence": dict(WITHHELD)}
