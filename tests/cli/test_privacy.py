"""``privacy anonymize`` is safe by default; ``privacy risk`` names a line that is not UTF-8."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.cli.lab import run


def trial(path: Path, rows: int = 60) -> Path:
    """A small trial table: a name and a subject id (direct identifiers), two QIs, a diagnosis."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["patient_name", "USUBJID", "AGE", "SEX", "diagnosis_icd10"])
        for i in range(rows):
            writer.writerow(
                [f"Person {i}", f"CTX-{i:04d}", 30 + i % 40, "MF"[i % 2], f"C{i % 9}0.1"]
            )
    return path


def test_direct_identifiers_are_dropped_unless_kept(tmp_path: Path) -> None:
    table = trial(tmp_path / "dm.csv")
    out = tmp_path / "out.csv"
    args = ["privacy", "anonymize", str(table), "--qi", "AGE,SEX", "--output", str(out)]
    hierarchies = ["--hierarchy", "AGE=interval:10,20", "--hierarchy", "SEX=suppress"]
    result = run(*args, *hierarchies, "--k", "2", "--format", "json")
    assert result.returncode == 0, result.stderr
    header = out.read_text().splitlines()[0]
    assert "patient_name" not in header and "USUBJID" not in header
    assert "AGE" in header and "diagnosis_icd10" in header
    document = json.loads(result.stdout)
    assert set(document["dropped_direct_identifiers"]) == {"patient_name", "USUBJID"}
    assert "dropped direct identifiers" in result.stderr

    kept = run(*args, *hierarchies, "--k", "2", "--keep", "USUBJID")
    assert kept.returncode == 0, kept.stderr
    assert "USUBJID" in out.read_text().splitlines()[0]
    assert "warning: keeping direct identifier USUBJID" in kept.stderr
    unknown = run(*args, *hierarchies, "--keep", "nope")
    assert unknown.returncode == 2 and "--keep nope: no such column" in unknown.stderr


def test_a_quasi_identifier_without_hierarchy_is_an_error(tmp_path: Path) -> None:
    table = trial(tmp_path / "dm.csv")
    out = tmp_path / "out.csv"
    result = run(
        "privacy", "anonymize", str(table), "--qi", "AGE,SEX", "--output", str(out),
        "--hierarchy", "AGE=interval:10,20",
    )  # fmt: skip
    assert result.returncode == 2
    assert "no hierarchy for quasi-identifier SEX" in result.stderr
    assert "--hierarchy SEX=" in result.stderr and "SEX=suppress" in result.stderr
    assert not out.exists()


def test_the_verdict_is_plain_and_fail_exits_1_when_not_met(tmp_path: Path) -> None:
    table = trial(tmp_path / "dm.csv")
    out = tmp_path / "out.csv"
    base = ["privacy", "anonymize", str(table), "--qi", "AGE,SEX", "--output", str(out)]
    coarse = ["--hierarchy", "AGE=interval:10,20,40", "--hierarchy", "SEX=suppress"]
    # without a risk goal the search keeps AGE exact: unique records, far above 0.09
    loose = run(*base, "--hierarchy", "AGE=interval:5", "--hierarchy", "SEX=suppress", "--fail")
    assert loose.returncode == 1, loose.stderr
    assert "risk threshold 0.09 NOT MET" in loose.stderr
    met = run(*base, *coarse, "--max-risk", "0.09", "--max-suppression", "10%", "--fail")
    assert met.returncode == 0, met.stderr
    assert "risk threshold 0.09 MET" in met.stderr


def test_risk_on_a_csv_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    table = tmp_path / "latin.csv"
    table.write_bytes(b"AGE,SEX,CITY\n34,M,Bern\n45,F,Z\xfcrich\n")
    result = run("privacy", "risk", str(table), "--qi", "AGE,SEX,CITY")
    assert result.returncode == 2
    assert f"{table}: line 3 is not valid utf-8" in result.stderr
    assert "--encoding" in result.stderr and "Traceback" not in result.stderr
    fixed = run("privacy", "risk", str(table), "--qi", "AGE,SEX,CITY", "--encoding", "latin-1")
    assert fixed.returncode == 0, fixed.stderr
    bogus = run("privacy", "risk", str(table), "--qi", "AGE", "--encoding", "klingon")
    assert bogus.returncode == 2 and "not a known text encoding" in bogus.stderr
