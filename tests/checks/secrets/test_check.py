"""The secrets check on real files: notebooks, .env, tables, gzip logs, baselines and the CLI."""

from __future__ import annotations

import gzip
import json
import os
import random
import string
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from labwarden.checks.secrets import SecretsCheck
from labwarden.checks.secrets.accept import write_baseline
from labwarden.checks.secrets.baseline import Baseline
from labwarden.checks.standalone import inspect_paths
from labwarden.cli.app import app

RNG = random.Random(11)
HEX = "0123456789abcdef"
ALNUM = string.ascii_letters + string.digits


def key_id() -> str:
    return "AKIA" + "".join(RNG.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))


def findings(
    *paths: Path, check: SecretsCheck | None = None
) -> list[tuple[str, str, str | None, int | None]]:
    result = inspect_paths(
        [str(p) for p in paths], [check or SecretsCheck(use_workspace_baseline=False)]
    )
    assert result.errors == []
    return sorted(
        (Path(f.location.path).name, f.rule, f.location.member, f.location.line)
        for f in result.findings
    )


def test_notebook_cells_and_outputs(tmp_path: Path) -> None:
    token = "hf_" + "".join(RNG.choice(string.ascii_letters) for _ in range(34))
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Fine-tune\n"]},
            {
                "cell_type": "code",
                "metadata": {},
                "source": ["from huggingface_hub import login\n", f'login("{token}")\n'],
                "outputs": [],
            },
            {
                "cell_type": "code",
                "metadata": {},
                "source": ["!env | grep AWS\n"],
                "outputs": [
                    {
                        "output_type": "stream",
                        "name": "stdout",
                        "text": [f"AWS_ACCESS_KEY_ID={key_id()}\n"],
                    }
                ],
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "train.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    assert findings(tmp_path) == [
        ("train.ipynb", "aws-access-key-id", "cell 3 output", 1),
        ("train.ipynb", "huggingface-token", "cell 2", 2),
    ]


def test_values_never_appear_in_findings(tmp_path: Path) -> None:
    secret = "".join(RNG.choice(HEX) for _ in range(40))
    (tmp_path / ".env").write_text(f"X=1\nWANDB_API_KEY={secret}\n", encoding="utf-8")
    result = inspect_paths([str(tmp_path)], [SecretsCheck(use_workspace_baseline=False)])
    [finding] = result.findings
    assert finding.location.line == 2
    assert secret not in json.dumps(finding.to_dict())
    assert finding.evidence["secret"].startswith(secret[:4])
    assert finding.raises is not None


def test_table_columns_and_gzip_logs(tmp_path: Path) -> None:
    token = "dapi" + "".join(RNG.choice(HEX) for _ in range(32))
    table = pa.table({"id": [1, 2, 3], "note": ["ok", f"used {token} to query", None]})
    pq.write_table(table, tmp_path / "runs.parquet")
    log = "\n".join(["INFO start"] * 5 + [f"DEBUG headers token={token}"]) + "\n"
    (tmp_path / "svc.log.1.gz").write_bytes(gzip.compress(log.encode(), mtime=0))
    assert findings(tmp_path) == [
        ("runs.parquet", "databricks-token", "column note", 2),
        ("svc.log.1.gz", "databricks-token", None, 6),
    ]


def test_corrupt_files_are_findings_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 this is not parquet PAR1")
    (tmp_path / "broken.log.1.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (tmp_path / "bad.ipynb").write_text("{not json " + key_id(), encoding="utf-8")
    got = findings(tmp_path)
    assert ("bad.ipynb", "aws-access-key-id", None, 1) in got
    assert {g[1] for g in got if g[0].startswith("broken")} == {"unreadable-file"}


def test_baseline_accepts_known_and_reports_new(tmp_path: Path) -> None:
    project = tmp_path / "repo"
    project.mkdir()
    (project / "a.py").write_text(f'KEY = "{key_id()}"\n', encoding="utf-8")
    path = project / ".labwarden" / "secrets-baseline.json"
    count, errors = write_baseline(path, [str(project)])
    assert (count, errors) == (1, [])
    assert Baseline.load(path).entries.keys() == {
        ("a.py", "aws-access-key-id", next(iter(Baseline.load(path).entries))[2])
    }
    # moving the line keeps it accepted; a new key is reported
    (project / "a.py").write_text(
        "\n\n" + (project / "a.py").read_text() + f'NEW = "{key_id()}"\n', encoding="utf-8"
    )
    assert findings(project, check=SecretsCheck(Baseline.load(path))) == [
        ("a.py", "aws-access-key-id", None, 4)
    ]
    # the workspace default is discovered from the asset's folder
    assert findings(project, check=SecretsCheck()) == [("a.py", "aws-access-key-id", None, 4)]


def test_bad_baseline_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text('{"version": 1, "secrets": [{"path": 3}]}', encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["inspect", "secrets", str(tmp_path), "--baseline", str(path)])
    assert result.exit_code != 0
    assert "secrets[0]" in str(result.exception) or "secrets[0]" in result.output


def test_cli_update_baseline_then_clean(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "s.py").write_text(f'AWS = "{key_id()}"\n', encoding="utf-8")
    base = tmp_path / "baseline.json"
    runner = CliRunner()
    first = runner.invoke(app, ["inspect", "secrets", str(project), "-f", "json"])
    assert first.exit_code == 1
    assert json.loads(first.stdout)[0]["rule"] == "aws-access-key-id"
    update = runner.invoke(
        app, ["inspect", "secrets", str(project), "--baseline", str(base), "--update-baseline"]
    )
    assert update.exit_code == 0, update.output
    assert json.loads(base.read_text())["secrets"][0]["path"] == "p/s.py"
    again = runner.invoke(app, ["inspect", "secrets", str(project), "--baseline", str(base)])
    assert again.exit_code == 0, again.output
    shown = runner.invoke(app, ["inspect", "secrets", str(project), "--no-baseline"])
    assert shown.exit_code == 1
    os.chmod(base, 0o600)


def test_lock_files_skip_the_generic_rule(tmp_path: Path) -> None:
    sri = "sha512-" + "".join(RNG.choice(ALNUM) for _ in range(86)) + "=="
    lock = f'{{"packages": {{"node_modules/x": {{"integrity": "{sri}", "key": "{sri[7:47]}"}}}}}}\n'
    (tmp_path / "package-lock.json").write_text(lock, encoding="utf-8")
    (tmp_path / "other.json").write_text(lock, encoding="utf-8")
    assert findings(tmp_path) == [("other.json", "generic-secret", None, 1)]
