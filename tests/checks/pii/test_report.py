"""Reports are complete: every finding counted, every line in JSON and SARIF, the table capped."""

from __future__ import annotations

import json
import random
from pathlib import Path

from typer.testing import CliRunner

from labwarden.cli.app import app

FIRST = ["Maria", "Lars", "Sofia", "Henrik", "Ida", "Siobhan", "Krisztián"]
LAST = ["Jensen", "Nielsen", "Brennan", "Okafor", "Lindqvist"]


def _log(path: Path, lines: int = 1500) -> tuple[int, int]:
    """A log with a name on every 11th line and contact data on every 31st."""
    rng = random.Random(1)
    names = contacts = 0
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            stamp = f"2026-10-01T10:{i // 60 % 60:02d}:{i % 60:02d}Z"
            if i % 11 == 0:
                names += 1
                out.write(f"{stamp} INFO spoke with {rng.choice(FIRST)} {rng.choice(LAST)}\n")
            elif i % 31 == 0:
                contacts += 1
                first, last = rng.choice(FIRST[:5]).lower(), rng.choice(LAST).lower()
                out.write(f"{stamp} DEBUG contact {first}.{last}@regionh.dk tel +45 20 12 34 56\n")
            else:
                out.write(f"{stamp} INFO step={i} loss=0.{rng.randrange(1000, 9999)}\n")
    return names, contacts


def test_json_lists_every_line(tmp_path: Path) -> None:
    names, contacts = _log(tmp_path / "app.log")
    result = CliRunner().invoke(app, ["inspect", "pii", str(tmp_path), "-f", "json"])
    findings = {f["rule"]: f for f in json.loads(result.stdout)}
    person = findings["log-person"]["evidence"]
    assert person["count"] == names
    assert person["lines"] == [i + 1 for i in range(0, 1500, 11)]
    occurrences = person["occurrences"][str(tmp_path / "app.log")]
    assert occurrences["count"] == names and len(occurrences["lines"]) == names
    assert findings["log-email"]["evidence"]["count"] == contacts
    assert findings["log-phone"]["evidence"]["count"] == contacts
    assert person["confidence"]["min"] >= 0.5
    assert person["raised_by"]
    assert person["truncated"] == {}


def test_sarif_relates_every_location(tmp_path: Path) -> None:
    names, _ = _log(tmp_path / "app.log")
    result = CliRunner().invoke(app, ["inspect", "pii", str(tmp_path), "-f", "sarif"])
    results = json.loads(result.stdout)["runs"][0]["results"]
    person = next(r for r in results if r["ruleId"] == "pii/log-person")
    lines = [r["physicalLocation"]["region"]["startLine"] for r in person["relatedLocations"]]
    assert lines == [i + 1 for i in range(0, 1500, 11)]
    assert len(lines) == names


def test_table_caps_lines_and_says_how_many_more(tmp_path: Path) -> None:
    names, _ = _log(tmp_path / "app.log")
    result = CliRunner().invoke(app, ["inspect", "pii", str(tmp_path / "app.log")])
    text = " ".join(result.stdout.split())
    assert f"and {names - 5} more" in text
    assert f"person name x{names}" in text
