"""The sample Debian server trees (stock and compromised), dated from the real clock so that
the intrusion falls within triage's default window."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from labwarden.respond.triage import sample_host as server
from labwarden.respond.triage.sample_host import ATTACKER, EXFIL_HOST, Tree

__all__ = ["ATTACKER", "EXFIL_HOST", "NOW", "Tree", "compromised", "stock"]

NOW = datetime.now(UTC).replace(microsecond=0)


def stock(root: Path) -> Tree:
    """A stock Debian 12 GPU server."""
    return server.stock(root, NOW)


def compromised(root: Path) -> Tree:
    """The same server two days after an intrusion."""
    return server.compromised(root, NOW)
