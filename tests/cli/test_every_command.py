"""Every command of the CLI, found by walking the app: each one is classed as reading a workspace,
storing in one or needing none, and every reader is run on a missing workspace.

A command added without a class here fails :func:`test_every_command_is_classed`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from labwarden.cli.app import app
from tests.cli.lab import run

READS: dict[str, list[str]] = {
    "alerts": [],
    "alerts show": ["1"],
    "alerts ack": ["1"],
    "alerts close": ["1"],
    "alerts reopen": ["1"],
    "assets": [],
    "assets show": ["1"],
    "assets versions": ["s3://bucket/prefix"],
    "bom": [],
    "canary check": [],
    "canary list": [],
    "canary listen": ["--port", "0"],
    "canary retire": ["c"],
    "detect": [],
    "events": [],
    "findings": [],
    "findings show": ["1"],
    "findings accept": ["1", "--reason", "r"],
    "findings fix": ["1"],
    "findings reopen": ["1"],
    "iam uses": ["{file}"],
    "incident add": ["1", "--alert", "1"],
    "incident close": ["1"],
    "incident contain": ["1"],
    "incident list": [],
    "incident note": ["1", "text"],
    "incident reopen": ["1"],
    "incident report": ["1"],
    "incident scope": ["1"],
    "incident set": ["1", "--title", "t"],
    "incident show": ["1"],
    "incident timeline": ["1"],
    "keys list": [],
    "serve": ["--port", "8799"],
    "trace": ["{file}"],
    "users list": [],
    "users password": ["u", "--password-stdin"],
    "users remove": ["u"],
    "users role": ["u", "viewer"],
    "users token": ["u"],
    "verify": ["--all"],
}
"""Commands that read (or change) what a workspace holds, with arguments that parse."""

STORES = {
    "scan",
    "ingest",
    "seal",
    "keys generate",
    "watch",
    "demo",
    "incident open",
    "canary plant",
    "users add",
    "share",
}
"""Commands that store: they create the workspace when there is none, and say so."""

NEEDS_NONE = {
    "inspect code",
    "inspect models",
    "inspect permissions",
    "inspect pii",
    "inspect secrets",
    "privacy anonymize",
    "privacy hierarchy",
    "privacy risk",
    "privacy suggest",
    "iam audit",
    "iam may",
    "iam who-can",
    "triage",
}
"""Commands that work on their inputs alone (a workspace is used if there is one)."""


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[str]:
    """Every runnable command under ``command``: leaves, and groups that run on their own."""
    found = []
    subcommands: dict[str, Any] = getattr(command, "commands", {})
    if path and (not subcommands or getattr(command, "invoke_without_command", False)):
        found.append(" ".join(path))
    for name, sub in subcommands.items():
        found += _commands(sub, (*path, name))
    return found


def test_every_command_is_classed() -> None:
    commands = set(_commands(typer.main.get_command(app)))
    classed = set(READS) | STORES | NEEDS_NONE
    assert not set(READS) & STORES and not (set(READS) | STORES) & NEEDS_NONE
    assert commands - classed == set(), "class the new command in this file"
    assert classed - commands == set(), "a classed command is gone"


@pytest.mark.parametrize("command", sorted(READS))
def test_readers_on_a_missing_workspace_exit_2_and_create_nothing(
    tmp_path: Path, command: str
) -> None:
    sample = tmp_path / "inputs" / "sample.json"
    sample.parent.mkdir()
    sample.write_text("{}")
    args = [a.format(file=sample, tmp=tmp_path / "inputs") for a in READS[command]]
    typo = tmp_path / "typo" / ".labwarden"
    result = run("-w", str(typo), *command.split(), *args, stdin="a long passphrase\n")
    assert result.returncode == 2, result.stdout + result.stderr
    assert str(typo) in result.stderr and "workspace" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "typo").exists()
    assert sorted(p.name for p in sample.parent.iterdir()) == ["sample.json"]


@pytest.mark.parametrize("command", ["incident list", "canary list", "trace", "users list"])
def test_readers_from_a_folder_without_workspace_name_where_they_looked(
    tmp_path: Path, command: str
) -> None:
    here = tmp_path / "project"
    here.mkdir()
    (here / "leak.csv").write_text("a,b\n1,2\n")
    args = ["leak.csv"] if command == "trace" else []
    result = run(*command.split(), *args, cwd=here)
    assert result.returncode == 2, result.stdout + result.stderr
    assert str(here) in result.stderr
    assert sorted(p.name for p in here.iterdir()) == ["leak.csv"]
