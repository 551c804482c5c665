"""Where the server may listen."""

from __future__ import annotations

from pathlib import Path

import pytest

from labwarden.core.errors import InputError
from labwarden.core.workspace import Workspace
from labwarden.web.config import ServerConfig, check, is_loopback


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.5", False),
        ("example.org", False),
        ("127.0.0.1.example.org", False),
    ],
)
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_remote_needs_an_explicit_statement_and_tls(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    check(ServerConfig(ws, host="127.0.0.1"))
    with pytest.raises(InputError, match="allow-remote"):
        check(ServerConfig(ws, host="0.0.0.0"))
    with pytest.raises(InputError, match="needs TLS"):
        check(ServerConfig(ws, host="0.0.0.0", allow_remote=True))
    check(ServerConfig(ws, host="0.0.0.0", allow_remote=True, behind_tls_proxy=True))
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("x")
    key.write_text("y")
    check(ServerConfig(ws, host="0.0.0.0", allow_remote=True, tls_cert=cert, tls_key=key))
    with pytest.raises(InputError, match="not a TCP port"):
        check(ServerConfig(ws, port=70000))
