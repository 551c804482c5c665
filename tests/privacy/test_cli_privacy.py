from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from labwarden.cli.app import app
from tests.conftest import corpora_path

runner = CliRunner()


@pytest.mark.corpora
def test_risk_json_on_adult() -> None:
    path = corpora_path("privacy", "arx", "adult.csv")
    result = runner.invoke(
        app,
        [
            "privacy",
            "risk",
            str(path),
            "--qi",
            "sex,age,race,marital-status,education,native-country,"
            "workclass,occupation,salary-class",
            "--population-fraction",
            "0.1",
            "--threshold",
            "0.2",
            "--combinations",
            "10",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["classes"] == 19502
    assert document["population_uniqueness"]["dankar_model"] == "pitman"


@pytest.mark.corpora
def test_anonymize_cli(tmp_path: Path) -> None:
    folder = corpora_path("privacy", "arx")
    out = tmp_path / "out.csv"
    report = tmp_path / "report.json"
    result = runner.invoke(
        app,
        [
            "privacy",
            "anonymize",
            str(folder / "test2.csv"),
            "--qi",
            "ZIPCode,Age",
            "--hierarchy",
            f"ZIPCode={folder / 'test2_hierarchy_ZIPCode.csv'}",
            "--hierarchy",
            f"Age={folder / 'test2_hierarchy_Age.csv'}",
            "--hierarchy",
            f"Disease={folder / 'test2_hierarchy_Disease.csv'}",
            "--sensitive",
            "Disease",
            "--k",
            "2",
            "--l",
            "2",
            "--max-suppression",
            "10%",
            "--output",
            str(out),
            "--report",
            str(report),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(report.read_text())
    assert document["residual_risk"]["k_anonymity"] >= 2
    assert document["residual_risk"]["diversity"][0]["distinct_l"] >= 2
    assert out.read_text().startswith('"ZIPCode"')


def test_errors_exit_2_with_message(tmp_path: Path) -> None:
    from labwarden.cli.app import main

    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    import sys

    argv = sys.argv
    sys.argv = ["labwarden", "privacy", "risk", str(path), "--qi", "nope"]
    try:
        with pytest.raises(SystemExit) as exit_info:
            main()
    finally:
        sys.argv = argv
    assert exit_info.value.code == 2


def test_suggest_and_fail_flag(tmp_path: Path) -> None:
    path = tmp_path / "dm.csv"
    path.write_text(
        "USUBJID,AGE,SEX\n" + "".join(f"S{i},{20 + i},M\n" for i in range(30)), encoding="utf-8"
    )
    result = runner.invoke(app, ["privacy", "suggest", str(path), "--format", "json"])
    assert result.exit_code == 0
    roles = {r["column"]: r["role"] for r in json.loads(result.stdout)}
    assert roles == {
        "USUBJID": "direct-identifier",
        "AGE": "quasi-identifier",
        "SEX": "quasi-identifier",
    }
    result = runner.invoke(app, ["privacy", "risk", str(path), "--fail"])
    assert result.exit_code == 1


def test_hierarchy_command_writes_arx_csv(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("AGE\n34\n71\n9\n", encoding="utf-8")
    out = tmp_path / "age.csv"
    result = runner.invoke(
        app,
        [
            "privacy",
            "hierarchy",
            str(path),
            "--column",
            "AGE",
            "--spec",
            "interval:10,20",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines() == [
        "9;[0, 10[;[0, 20[;*",
        "34;[30, 40[;[20, 40[;*",
        "71;[70, 80[;[60, 80[;*",
    ]
