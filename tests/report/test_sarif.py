"""Findings as SARIF: levels, locations and stable fingerprints."""

from __future__ import annotations

from pathlib import Path

from labwarden.core.finding import Finding, Location
from labwarden.core.values import Severity
from labwarden.report.sarif import to_sarif


def test_sarif_run_has_rules_results_and_relative_paths(tmp_path: Path) -> None:
    findings = [
        Finding(
            "modelfile",
            "dangerous-import",
            Severity.CRITICAL,
            Location(str(tmp_path / "m" / "a.pkl"), member="archive/data.pkl", offset=12),
            "posix.system is called",
            "Do not load this file.",
        ),
        Finding(
            "secrets", "aws-key", Severity.HIGH, Location(str(tmp_path / "t.py"), line=3), "AWS key"
        ),
    ]
    log = to_sarif(findings, base=tmp_path)
    run = log["runs"][0]
    assert log["version"] == "2.1.0"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [
        "modelfile/dangerous-import",
        "secrets/aws-key",
    ]
    first, second = run["results"]
    assert first["level"] == "error"
    location = first["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "m/a.pkl"
    assert location["physicalLocation"]["region"] == {"startLine": 1, "byteOffset": 12}
    assert location["logicalLocations"][0]["name"] == "archive/data.pkl"
    assert second["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}
    assert first["partialFingerprints"]["labwarden/v1"] == findings[0].fingerprint
