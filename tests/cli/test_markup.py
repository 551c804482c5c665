"""User text (paths, names) is printed as it is, whatever brackets it holds: a property over
markup-like text, through the CLI's entry point in this process."""

from __future__ import annotations

import io
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from labwarden.cli.app import main
from labwarden.cli.state import STATE

MARKUP_LIKE = st.text(alphabet="[]/\\ab:=#@ 'red", min_size=1, max_size=16).filter(
    lambda s: s.strip("/ ") != "" and not s.startswith("~")
)
"""Names made of Rich markup's characters: ``[/]``, ``[red]x``, ``[bold]y[/bold]``, ``\\[``."""


def _main(*args: str) -> tuple[int, str, str]:
    """Run ``labwarden ARGS`` in this process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.object(sys, "argv", ["labwarden", *args]),
        redirect_stdout(out),
        redirect_stderr(err),
        pytest.raises(SystemExit) as exited,
    ):
        main()
    STATE.workspace = None
    code = exited.value.code
    return code if isinstance(code, int) else 1, out.getvalue(), err.getvalue()


def _under(root: str, name: str) -> Path:
    return Path(root) / name.lstrip("/")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=MARKUP_LIKE)
def test_a_missing_workspace_is_named_as_it_is(name: str) -> None:
    with tempfile.TemporaryDirectory() as root:
        typo = _under(root, name)
        code, out, err = _main("-w", str(typo), "assets")
        assert code == 2, err
        assert f"no labwarden workspace at {typo.absolute()} " in err
        assert out == "" and "Traceback" not in err


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=MARKUP_LIKE, command=st.sampled_from(["inspect secrets", "inspect models", "verify"]))
@example(name=":a:b", command="verify")  # a Rich emoji code: printed as it is, never as a picture
def test_a_missing_path_is_named_as_it_is(name: str, command: str) -> None:
    with tempfile.TemporaryDirectory() as root:
        missing = _under(root, name)
        code, _, err = _main("-w", str(Path(root) / "ws"), *command.split(), str(missing))
        assert code == 2, err
        assert f"{missing}: no such file or folder" in err
        assert "Traceback" not in err and not (Path(root) / "ws").exists()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=MARKUP_LIKE)
@example(name=":\\:")  # refused: the error shows the name's repr, backslash doubled
@example(name=":a:")
def test_stored_names_are_shown_as_they_are(name: str) -> None:
    """A key name and an incident note's author: stored user text printed back."""
    with tempfile.TemporaryDirectory() as root:
        ws = str(Path(root) / "ws")
        code, _, err = _main("-w", ws, "keys", "generate", name, "--insecure-plaintext")
        if code == 2:  # names a key store refuses (a path separator) are refused with that name
            assert repr(name) in err and "Traceback" not in err
            assert not Path(ws).exists()  # refused before a workspace is created
            return
        assert code == 0, err
        assert f"created ecdsa-p256 key {name!r}" in err or f"key {name!r}" in err, err
        code, _, err = _main("-w", ws, "incident", "open", "t", "--by", name)
        assert code == 0, err
        code, out, err = _main("-w", ws, "incident", "note", "1", "n", "--by", name)
        assert code == 0, err
        code, out, err = _main("-w", ws, "incident", "show", "1")
        assert code == 0, err
        assert f"{name}: n" in out
