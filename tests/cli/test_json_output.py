"""``--format json`` output parses with nothing else on stdout, for every command that has it,
run on the demo lab's workspace. Commands are found by walking the app: one that gains a JSON
format without a case here fails :func:`test_every_json_command_has_a_case`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer

from labwarden.cli.app import app
from tests.cli.lab import run
from tests.identity.builders import ADMIN_ARN, allow, arn, details, policy, user

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo-json")]

TRIAL = "{lab}/data/trials/CTX-104/analysis/subjects_pseudonymized.parquet"

CASES: dict[str, list[str]] = {
    "alerts": [],
    "alerts show": ["1"],
    "assets": [],
    "assets show": ["protein-lm-v3"],
    "canary check": [],
    "canary list": [],
    "canary plant": ["credentials", "--into", "{tmp}/prod.env"],
    "detect": [],
    "events": ["-n", "5"],
    "findings": [],
    "findings show": ["1"],
    "iam audit": ["{auth}"],
    "iam may": ["{auth}", "user/reader", "s3:GetObject", "arn:aws:s3:::models/x"],
    "iam uses": ["{auth}"],
    "iam who-can": ["{auth}", "models"],
    "incident list": [],
    "incident open": ["json test"],
    "incident report": ["1"],
    "incident scope": ["1"],
    "incident show": ["1"],
    "incident timeline": ["1"],
    "inspect code": ["{lab}/code"],
    "inspect models": ["{lab}/models/community"],
    "inspect permissions": ["{lab}/code"],
    "inspect pii": ["{lab}/data/trials/CTX-104/sdtm/dm.csv"],
    "inspect secrets": ["{lab}/code"],
    "keys list": [],
    "privacy anonymize": [
        TRIAL,
        "--qi",
        "AGE,SEX",
        "--hierarchy",
        "AGE=interval:10,20",
        "--hierarchy",
        "SEX=suppress",
        "--output",
        "{tmp}/anonymized.csv",
    ],
    "privacy risk": [TRIAL, "--qi", "AGE,SEX"],
    "privacy suggest": [TRIAL],
    "scan": ["{lab}/models/community"],
    "seal": ["{lab}/models/protein-lm-v3", "--key", "json", "--output", "{tmp}/p.sigstore.json"],
    "share": ["dm.csv", "--recipient", "r1", "--output", "{tmp}/dm-r1.csv"],
    "trace": ["{lab}/data/trials/CTX-104/sdtm/dm.csv", "--no-incident"],
    "triage": ["--root", "{ws}/images/gpu-01", "--since", "2026-10-21", "--output", "{tmp}/t.tgz"],
    "users add": ["jsonuser", "--no-password"],
    "users list": [],
    "verify": ["--all"],
}
"""Arguments (besides ``--format json``) that give each command something to report."""

NOT_ON_THE_DEMO = {"assets versions": "needs an object-store asset; the demo lab has none"}
"""Commands with a JSON format that the demo cannot feed, and why."""

JSON_LINES = {"incident timeline": "jsonl"}
"""Commands whose JSON format is one document per line."""


def _json_commands(command: Any, path: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Each command with a ``--format`` offering json or jsonl, with the formats it offers."""
    found: dict[str, list[str]] = {}
    for param in getattr(command, "params", []):
        if "--format" in getattr(param, "opts", ()):
            try:
                choices = [str(getattr(c, "value", c)) for c in param.type_descriptor.choices]
            except (AttributeError, TypeError):
                choices = []  # a free-text --format (ingest's log format) is not an output
            if {"json", "jsonl"} & set(choices):
                found[" ".join(path)] = choices
    for name, sub in getattr(command, "commands", {}).items():
        found.update(_json_commands(sub, (*path, name)))
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The demo lab with its workspace, a plain-text signing key and an IAM export."""
    root = tmp_path_factory.mktemp("json")
    lab = root / "lab"
    built = run("demo", str(lab))
    assert built.returncode == 0, built.stderr
    ws = lab / ".labwarden"
    key = run("-w", str(ws), "keys", "generate", "json", "--insecure-plaintext")
    assert key.returncode == 0, key.stderr
    users = [
        user("helpdesk", policy(allow("iam:CreateAccessKey", arn("user", "boss")))),
        user("boss", attached=[ADMIN_ARN]),
        user("reader", policy(allow("s3:GetObject", "arn:aws:s3:::models/*"))),
    ]
    auth = root / "auth.json"
    auth.write_text(json.dumps(details(users)))
    return {"lab": str(lab), "ws": str(ws), "auth": str(auth), "tmp": str(root)}


def test_every_json_command_has_a_case() -> None:
    commands = _json_commands(typer.main.get_command(app))
    assert set(commands) == set(CASES) | set(NOT_ON_THE_DEMO), "give the new command a case here"
    for command, fmt in JSON_LINES.items():
        assert fmt in commands[command]


@pytest.mark.parametrize("command", sorted(CASES))
def test_json_stdout_parses(demo: dict[str, str], command: str) -> None:
    args = [a.format(**demo) for a in CASES[command]]
    fmt = JSON_LINES.get(command, "json")
    result = run("-w", demo["ws"], *command.split(), *args, "--format", fmt, cwd=Path(demo["tmp"]))
    assert result.returncode in (0, 1), result.stderr
    assert result.stdout.strip(), result.stderr
    if fmt == "jsonl":
        documents = [json.loads(line) for line in result.stdout.splitlines()]
        assert documents
    else:
        json.loads(result.stdout)
    assert "Traceback" not in result.stderr
