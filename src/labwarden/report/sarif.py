"""Findings as SARIF 2.1.0, the format GitHub code scanning reads."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from labwarden import __version__
from labwarden.core.finding import Finding
from labwarden.core.values import Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub sorts alerts by this 0.0-10.0 score.
_SCORE = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def _uri(path: str, base: Path | None) -> str:
    if base is not None:
        try:
            return Path(path).relative_to(base).as_posix()
        except ValueError:
            pass
    return Path(path).as_uri() if path.startswith("/") else path


def _related(finding: Finding, base: Path | None) -> list[dict[str, Any]]:
    """Every place of a finding that occurs at many (``evidence["occurrences"]``: path ->
    ``{"lines": [...]}``), as SARIF related locations: the report lists them all."""
    occurrences = finding.evidence.get("occurrences")
    if not isinstance(occurrences, dict):
        return []
    related: list[dict[str, Any]] = []
    for path, where in occurrences.items():
        lines = where.get("lines", []) if isinstance(where, dict) else []
        for line in lines:
            related.append(
                {
                    "id": len(related) + 1,
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(str(path), base)},
                        "region": {"startLine": max(1, int(line))},
                    },
                }
            )
    return related


def to_sarif(
    findings: Sequence[Finding],
    *,
    base: Path | None = None,
    descriptions: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A SARIF log with one run; rule ids are ``check/rule``; paths relative to ``base``."""
    descriptions = descriptions or {}
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for finding in findings:
        rule_id = f"{finding.check}/{finding.rule}"
        if rule_id not in rules:
            rules[rule_id] = {
                "id": rule_id,
                "name": finding.rule.replace("-", " ").title().replace(" ", ""),
                "shortDescription": {"text": descriptions.get(rule_id, finding.rule)},
                "help": {"text": finding.remediation or "Review the finding."},
                "properties": {"security-severity": _SCORE[finding.severity], "tags": ["security"]},
            }
        location: dict[str, Any] = {
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(finding.location.path, base)},
            }
        }
        if finding.location.line is not None:
            location["physicalLocation"]["region"] = {"startLine": max(1, finding.location.line)}
        elif finding.location.offset is not None:
            # GitHub code scanning needs startLine (its GH1003 rule); binary files have one line.
            location["physicalLocation"]["region"] = {
                "startLine": 1,
                "byteOffset": finding.location.offset,
            }
        if finding.location.member:
            location["logicalLocations"] = [{"name": finding.location.member, "kind": "member"}]
        related = _related(finding, base)
        results.append(
            {
                "ruleId": rule_id,
                "level": _LEVEL[finding.severity],
                "message": {"text": finding.message},
                "locations": [location],
                "partialFingerprints": {"labwarden/v1": finding.fingerprint},
                "properties": {"severity": finding.severity.value, "evidence": finding.evidence},
                **({"relatedLocations": related} if related else {}),
            }
        )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "labwarden",
                "version": __version__,
                "informationUri": "https://github.com/labwarden/labwarden",
                "rules": list(rules.values()),
            }
        },
        "results": results,
    }
    if base is not None:
        run["originalUriBaseIds"] = {"SRCROOT": {"uri": base.absolute().as_uri() + "/"}}
        for result in results:
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] = "SRCROOT"
            for related in result.get("relatedLocations", []):
                related["physicalLocation"]["artifactLocation"]["uriBaseId"] = "SRCROOT"
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
