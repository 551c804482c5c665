"""``labwarden serve`` refuses to start where it would be exposed or where nobody can log in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from labwarden.cli.app import app


def _serve(ws: Path, *args: str) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-m", "labwarden", "--workspace", str(ws), "serve", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert "Traceback" not in result.stderr
    return result.returncode, result.stderr


def _with_admin(ws: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["--workspace", str(ws), "users", "add", "root-admin", "--role", "admin", "--no-password"],
    )
    assert result.exit_code == 0, result.output


def test_serve_refuses_remote_addresses_without_tls(tmp_path: Path) -> None:
    ws = tmp_path / ".labwarden"
    _with_admin(ws)
    code, err = _serve(ws, "--host", "0.0.0.0")
    assert code == 2 and "--allow-remote" in err
    code, err = _serve(ws, "--host", "192.0.2.10", "--allow-remote")
    assert code == 2 and "needs TLS" in err
    code, err = _serve(ws, "--host", "0.0.0.0", "--allow-remote", "--tls-cert", "nope.pem")
    assert code == 2 and "go together" in err
    code, err = _serve(
        ws, "--host", "0.0.0.0", "--allow-remote", "--tls-cert", "a.pem", "--tls-key", "b.pem"
    )
    assert code == 2 and "a.pem: no such file" in err
    junk = tmp_path / "junk.pem"
    junk.write_text("x\n")
    code, err = _serve(
        ws, "--host", "0.0.0.0", "--allow-remote", "--tls-cert", str(junk), "--tls-key", str(junk)
    )
    assert code == 2 and "junk.pem: not a PEM certificate" in err


def test_serve_needs_an_admin_and_a_workspace(tmp_path: Path) -> None:
    code, err = _serve(tmp_path / "none" / ".labwarden")
    assert code == 2 and "no workspace" in err
    ws = tmp_path / ".labwarden"
    CliRunner().invoke(app, ["--workspace", str(ws), "users", "add", "v", "--no-password"])
    code, err = _serve(ws)
    assert code == 2 and "users add NAME --role admin" in err
