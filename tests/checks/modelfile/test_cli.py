"""``labwarden inspect models`` end to end: formats, exit codes, user lists, SARIF validity."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from labwarden.checks.modelfile.samples import torch_zip
from labwarden.cli.app import app
from labwarden.core.errors import InputError

from .builders import stack_global_call, su, zip_bytes

SCHEMA = Path(__file__).resolve().parents[2] / "data" / "modelfile" / "sarif-schema-2.1.0.json"


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str, cwd: Path) -> Ran:
    """``labwarden inspect models ARGS`` in-process (the CLI's own runner, real files)."""
    del cwd
    result = CliRunner().invoke(app, ["inspect", "models", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)


def lab(tmp_path: Path) -> Path:
    root = tmp_path / "models"
    (root / "good").mkdir(parents=True)
    (root / "good" / "pytorch_model.bin").write_bytes(torch_zip([("w", (4, 4))], b"\x01\x02"))
    (root / "good" / "config.json").write_text('{"model_type": "bert"}')
    # A class of the lab's own package, referenced but never called: medium.
    (root / "custom.pkl").write_bytes(b"\x80\x04" + su("mylab.layers") + su("Block") + b"\x93.")
    (root / "evil.pt").write_bytes(
        zip_bytes({"archive/data.pkl": stack_global_call("os", "system", "id")})
    )
    return root


def test_exit_codes_follow_fail_on(tmp_path: Path) -> None:
    root = lab(tmp_path)
    assert run(str(root), cwd=tmp_path).returncode == 1
    assert run(str(root), "--fail-on", "never", cwd=tmp_path).returncode == 0
    assert run(str(root / "good"), cwd=tmp_path).returncode == 0
    medium_only = run(str(root / "custom.pkl"), cwd=tmp_path)
    assert medium_only.returncode == 0, medium_only.stderr
    assert run(str(root / "custom.pkl"), "--fail-on", "medium", cwd=tmp_path).returncode == 1


def test_json_output_names_file_member_offset_and_callable(tmp_path: Path) -> None:
    root = lab(tmp_path)
    result = run(str(root / "evil.pt"), "-f", "json", cwd=tmp_path)
    (finding,) = json.loads(result.stdout)
    assert finding["severity"] == "critical"
    assert finding["location"]["member"] == "archive/data.pkl"
    assert finding["location"]["offset"] > 0
    assert finding["evidence"]["callable"] == "os.system"
    assert finding["remediation"]


def test_sarif_is_valid_against_the_2_1_0_schema(tmp_path: Path) -> None:
    root = lab(tmp_path)
    out = tmp_path / "report.sarif"
    result = run(str(root), "-f", "sarif", "-o", str(out), cwd=tmp_path)
    assert result.returncode == 1
    document = json.loads(out.read_text())
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    results = document["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {
        "modelfile/dangerous-import",
        "modelfile/unknown-import",
    }
    evil = next(r for r in results if r["level"] == "error")
    assert evil["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "evil.pt"
    assert evil["locations"][0]["logicalLocations"][0]["name"] == "archive/data.pkl"


def test_user_allowlist_and_denylist(tmp_path: Path) -> None:
    root = lab(tmp_path)
    allow = tmp_path / "allow.toml"
    allow.write_text('[mylab]\nreason = "our own layers"\nnames = ["mylab.layers.*"]\n')
    result = run(str(root / "custom.pkl"), "--allowlist", str(allow), "-f", "json", cwd=tmp_path)
    assert json.loads(result.stdout) == []
    deny = tmp_path / "deny.toml"
    deny.write_text(
        '[banned]\nreason = "is banned here"\nremediation = "Remove it."\n'
        'names = ["mylab.layers"]\n'
    )
    result = run(str(root / "custom.pkl"), "--denylist", str(deny), "-f", "json", cwd=tmp_path)
    (finding,) = json.loads(result.stdout)
    assert finding["severity"] == "critical" and "is banned here" in finding["message"]
    assert result.returncode == 1
    # Entries written with a wildcard, as the README shows them, match too.
    deny.write_text(deny.read_text().replace('"mylab.layers"', '"mylab.*"'))
    result = run(str(root / "custom.pkl"), "--denylist", str(deny), "-f", "json", cwd=tmp_path)
    assert [f["severity"] for f in json.loads(result.stdout)] == ["critical"]


def test_bad_list_file_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("not = [toml")
    result = CliRunner().invoke(app, ["inspect", "models", str(tmp_path), "--allowlist", str(bad)])
    # main() turns an InputError into its message on stderr and exit code 2.
    assert isinstance(result.exception, InputError)
    assert result.exception.exit_code == 2
    assert "bad.toml" in result.exception.message


def test_scan_runs_the_check_on_model_assets(tmp_path: Path) -> None:
    root = lab(tmp_path)
    ws = tmp_path / "ws"
    result = CliRunner().invoke(app, ["-w", str(ws), "scan", str(root), "-f", "json"])
    assert result.exit_code == 1, result.stderr  # --fail-on high is scan's default
    findings = [f for f in json.loads(result.stdout)["findings"] if f["check"] == "modelfile"]
    assert {f["rule"] for f in findings} == {"dangerous-import", "unknown-import"}
