"""The PII check on real tables and logs, and through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from labwarden.checks.pii import PiiCheck
from labwarden.checks.standalone import inspect_paths
from labwarden.cli.app import app
from labwarden.core.values import Sensitivity


def run(path: Path) -> list[tuple[str, str, str | None]]:
    result = inspect_paths([str(path)], [PiiCheck()])
    assert result.errors == []
    return sorted((Path(f.location.path).name, f.rule, f.location.member) for f in result.findings)


def test_pseudonymized_table_with_identifiers(tmp_path: Path) -> None:
    table = pa.table(
        {
            "pseudonym": ["P01", "P02", "P03"],
            "patient_name": ["Maria Jensen", "Lars Nielsen", "Sofia Andersson"],
            "cpr": ["120561-1234", "030457-2345", "280272-4567"],
            "age": [64, 69, 54],
            "icd10": ["E11.9", "I10", "J45.909"],
        }
    )
    pq.write_table(table, tmp_path / "cohort_pseudonymized.parquet")
    got = run(tmp_path)
    assert got == [
        ("cohort_pseudonymized.parquet", "direct-identifier-column", "column cpr"),
        ("cohort_pseudonymized.parquet", "direct-identifier-column", "column patient_name"),
        ("cohort_pseudonymized.parquet", "pseudonymized-with-identifiers", None),
        ("cohort_pseudonymized.parquet", "quasi-identifiers", None),
        ("cohort_pseudonymized.parquet", "special-category-column", "column icd10"),
    ]
    result = inspect_paths([str(tmp_path)], [PiiCheck()])
    high = [f for f in result.findings if f.rule == "pseudonymized-with-identifiers"]
    assert high[0].severity.value == "high"
    assert high[0].raises is Sensitivity.RESTRICTED


def test_workbook_is_checked_like_a_table(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([])  # a title row left empty, as people do
    sheet.append(["pseudonym", "patient_name", "cpr", "age", "icd10", "age"])
    for row in [
        ("P01", "Maria Jensen", "120561-1234", 64, "E11.9", 1),
        ("P02", "Lars Nielsen", "030457-2345", 69, "I10", 2),
        ("P03", "Sofia Andersson", "280272-4567", 54, "J45.909", 3),
    ]:
        sheet.append(list(row))
    book.save(tmp_path / "cohort_pseudonymized.xlsx")
    got = run(tmp_path)
    assert ("cohort_pseudonymized.xlsx", "direct-identifier-column", "column cpr") in got
    assert ("cohort_pseudonymized.xlsx", "direct-identifier-column", "column patient_name") in got
    assert ("cohort_pseudonymized.xlsx", "pseudonymized-with-identifiers", None) in got
    assert ("cohort_pseudonymized.xlsx", "special-category-column", "column icd10") in got


def test_csv_without_personal_data_is_clean(tmp_path: Path) -> None:
    (tmp_path / "assay.csv").write_text(
        "compound_id,smiles,ic50_nm\nCPD-1,CC(=O)O,12.5\nCPD-2,C1=CC=CC=C1,300\n", encoding="utf-8"
    )
    assert run(tmp_path) == []


def test_cli_pii_json(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text(
        "2026-10-01 INFO user email=maria.jensen@regionh.dk logged in\n", encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["inspect", "pii", str(tmp_path), "-f", "json"])
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)
    assert finding["rule"] == "log-email"
    assert finding["location"]["line"] == 1


def test_notebook_outputs_showing_patient_rows(tmp_path: Path) -> None:
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "source": ["df = load('cohort')\n", "df.head()"],
                "outputs": [
                    {
                        "output_type": "execute_result",
                        "execution_count": 1,
                        "metadata": {},
                        "data": {
                            "text/plain": [
                                "   patient_name   dob\n",
                                '0  patient_name="Maria Jensen" dob=1961-04-12\n',
                            ]
                        },
                    }
                ],
            },
            {
                "cell_type": "code",
                "metadata": {},
                "source": ["# contact: maria.jensen@regionh.dk\n"],
                "outputs": [],
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "explore.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    result = inspect_paths([str(tmp_path)], [PiiCheck()])
    got = sorted((f.rule, f.location.member, f.location.line) for f in result.findings)
    # the e-mail in a code cell's source is not reported; the printed rows are
    assert got == [("text-date-of-birth", "cell 1 output", 2), ("text-person", "cell 1 output", 2)]


def test_log_folder_is_tallied_per_entity_and_shards_sampled_once(tmp_path: Path) -> None:
    logs = tmp_path / "logs" / "api"
    logs.mkdir(parents=True)
    for day in range(1, 4):
        (logs / f"api-2026-10-0{day}.log").write_text(
            f"2026-10-0{day}T10:00:00Z INFO ok\n"
            f'2026-10-0{day}T10:00:01Z DEBUG patient_name="Maria Jensen" mrn=MRN-448192{day}\n',
            encoding="utf-8",
        )
    shards = tmp_path / "cohort"
    shards.mkdir()
    for part in range(3):
        table = pa.table({"email": ["maria.jensen@regionh.dk", "lars@au.dk"], "age": [64, 70]})
        pq.write_table(table, shards / f"part-{part:05d}.parquet")
    result = inspect_paths([str(tmp_path)], [PiiCheck()])
    person = [f for f in result.findings if f.rule == "log-person"]
    assert len(person) == 1
    assert person[0].evidence["count"] == 3
    assert len(person[0].evidence["occurrences"]) == 3
    assert person[0].location.line == 2
    emails = [f for f in result.findings if f.rule == "direct-identifier-column"]
    assert len(emails) == 1
    assert emails[0].evidence["files_with_same_columns"] == 3
