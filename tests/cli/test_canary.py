"""``labwarden canary`` end to end, as the README shows it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from labwarden.cli.app import app
from labwarden.core.errors import InputError
from labwarden.core.workspace import Workspace
from tests.trace.canaries.helpers import ingest_trail, trail


def test_plant_list_check_retire(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = ["--workspace", str(tmp_path / ".labwarden")]
    planted = runner.invoke(
        app,
        [
            *ws,
            "canary",
            "plant",
            "object",
            "--name",
            "decoy",
            "--match",
            "s3://lab/decoy/",
            "-f",
            "json",
        ],
    )
    assert planted.exit_code == 0, planted.output
    assert json.loads(planted.stdout)["matches"] == ["s3://lab/decoy/"]
    model = runner.invoke(
        app, [*ws, "canary", "plant", "model", "--into", str(tmp_path / "m"), "-f", "json"]
    )
    assert model.exit_code == 0, model.output
    listed = runner.invoke(app, [*ws, "canary", "list", "-f", "json"])
    assert [c["kind"] for c in json.loads(listed.stdout)] == ["object", "model"]
    clean = runner.invoke(app, [*ws, "canary", "check", "-f", "json"])
    assert clean.exit_code == 0 and json.loads(clean.stdout) == []
    ingest_trail(
        tmp_path / "logs",
        Workspace(tmp_path / ".labwarden"),
        [trail(5, "GetObject", requestParameters={"bucketName": "lab", "key": "decoy/a.csv"})],
    )
    hit = runner.invoke(app, [*ws, "canary", "check", "-f", "json"])
    assert hit.exit_code == 1
    (row,) = json.loads(hit.stdout)
    assert row["canary"] == "decoy" and row["event_uids"] == ["evt-GetObject-5"]
    assert runner.invoke(app, [*ws, "canary", "retire", "decoy"]).exit_code == 0
    assert runner.invoke(app, [*ws, "canary", "check"]).exit_code == 0
    bad = runner.invoke(app, [*ws, "canary", "plant", "aws-key", "--access-key-id", "nope"])
    assert isinstance(bad.exception, InputError) and bad.exception.exit_code == 2
    assert "not an AWS access key id" in bad.exception.message
    missing = runner.invoke(app, [*ws, "canary", "retire", "nothing"])
    assert isinstance(missing.exception, InputError)
