"""The CVSS v3.x base score of a vector string (``CVSS:3.1/AV:N/AC:L/...``), and the severity
it maps to, so that OSV advisories without a database severity still get one."""

from __future__ import annotations

import math

from labwarden.core.values import Severity

_WEIGHTS: dict[str, dict[str, float]] = {
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "UI": {"N": 0.85, "R": 0.62},
    "C": {"H": 0.56, "L": 0.22, "N": 0.0},
    "I": {"H": 0.56, "L": 0.22, "N": 0.0},
    "A": {"H": 0.56, "L": 0.22, "N": 0.0},
}
_PRIVILEGES = {"N": (0.85, 0.85), "L": (0.62, 0.68), "H": (0.27, 0.5)}
"""Privileges required: (scope unchanged, scope changed)."""


def _round_up(value: float) -> float:
    """CVSS 3.1's Roundup: the smallest one-decimal number not below ``value``."""
    scaled = round(value * 100_000)
    if scaled % 10_000 == 0:
        return scaled / 100_000
    return (math.floor(scaled / 10_000) + 1) / 10.0


def base_score(vector: str) -> float | None:
    """The base score of a CVSS v3.0/3.1 vector, or ``None`` when it is not one."""
    parts = vector.strip().split("/")
    if not parts or not parts[0].startswith("CVSS:3"):
        return None
    metrics = dict(p.split(":", 1) for p in parts[1:] if ":" in p)
    try:
        changed = metrics["S"] == "C"
        pr = _PRIVILEGES[metrics["PR"]][1 if changed else 0]
        av, ac, ui = (_WEIGHTS[m][metrics[m]] for m in ("AV", "AC", "UI"))
        c, i, a = (_WEIGHTS[m][metrics[m]] for m in ("C", "I", "A"))
    except KeyError:
        return None
    iss = 1 - (1 - c) * (1 - i) * (1 - a)
    impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if changed else 6.42 * iss
    if impact <= 0:
        return 0.0
    exploitability = 8.22 * av * ac * pr * ui
    total = impact + exploitability
    return _round_up(min(1.08 * total, 10.0) if changed else min(total, 10.0))


def severity_of_score(score: float) -> Severity:
    """CVSS qualitative rating as a labwarden severity (None rating -> info)."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    return Severity.LOW if score > 0 else Severity.INFO
