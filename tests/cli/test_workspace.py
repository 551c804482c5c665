"""A missing workspace is an error for commands that read; only commands that store create one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.lab import run, small_lab

READERS = [
    ["assets"],
    ["assets", "show", "1"],
    ["alerts"],
    ["findings"],
    ["findings", "accept", "1", "--reason", "r"],
    ["bom"],
    ["events"],
    ["detect"],
    ["keys", "list"],
]


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_reading_a_missing_workspace_is_an_error_that_creates_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    typo = tmp_path / "typo" / ".labwarden"
    result = run("-w", str(typo), *command)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"no labwarden workspace at {typo}" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "typo").exists()


def test_without_workspace_option_the_error_names_the_folders_searched(tmp_path: Path) -> None:
    here = tmp_path / "project" / "sub"
    here.mkdir(parents=True)
    result = run("assets", cwd=here)
    assert result.returncode == 2
    assert f"looked for .labwarden/ in {here} and every folder above it" in result.stderr
    assert not (here / ".labwarden").exists()
    env = run("assets", cwd=here, env={"LABWARDEN_WORKSPACE": str(tmp_path / "nope")})
    assert env.returncode == 2 and f"no labwarden workspace at {tmp_path / 'nope'}" in env.stderr


def test_storing_commands_create_the_workspace_and_say_so(tmp_path: Path) -> None:
    lab = small_lab(tmp_path / "lab")
    ws = tmp_path / "ws"
    first = run("-w", str(ws), "scan", str(lab), "--fail-on", "never")
    assert first.returncode == 0, first.stderr
    assert f"created the workspace {ws}" in first.stderr
    again = run("-w", str(ws), "scan", str(lab), "--fail-on", "never")
    assert "created the workspace" not in again.stderr
    assert run("-w", str(ws), "assets").returncode == 0
    keys = run("-w", str(tmp_path / "keys-ws"), "keys", "generate", "k", "--insecure-plaintext")
    assert keys.returncode == 0 and "created the workspace" in keys.stderr
    listed = run("-w", str(tmp_path / "keys-ws"), "keys", "list", "-f", "json")
    assert listed.returncode == 0 and '"k"' in listed.stdout


def test_a_workspace_without_catalog_is_not_read_as_empty(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    result = run("-w", str(ws), "assets")
    assert result.returncode == 2
    assert f"{ws} holds no catalog yet" in result.stderr
    assert not (ws / "catalog.db").exists()


def test_a_missing_scan_path_creates_no_workspace(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    result = run("-w", str(ws), "scan", str(tmp_path / "no[/]such"))
    assert result.returncode == 2
    assert f"{tmp_path / 'no[/]such'}: no such file or folder" in result.stderr
    assert not ws.exists()
