"""The words every grant verdict uses (``iam uses``, ``detect --iam``, the incident scope)."""

from __future__ import annotations

from labwarden.identity.tri import Tri

GRANTED = "granted"
"""The account's policies allow it."""
UNDECIDED = "undecided"
"""Allowed only if conditions the evaluator cannot decide held (reported, never assumed)."""
NEVER = "never granted"
"""Nothing in the account's policies allows it."""
NOT_JUDGED = "not judged"
"""The principal is not one the authorization details hold (another account, the root user,
a service, a name not in the file)."""

VERDICT_OF = {Tri.YES: GRANTED, Tri.MAYBE: UNDECIDED, Tri.NO: NEVER}
"""The verdict of an access decision's outcome."""
VERDICTS = (GRANTED, UNDECIDED, NEVER, NOT_JUDGED)
"""Every verdict, most allowed first."""
