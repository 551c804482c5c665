"""Where the server may listen."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from labwarden.core.errors import InputError
from labwarden.core.workspace import Workspace
from labwarden.web.config import ServerConfig, check, check_tls_files, is_loopback
from tests.web.certs import certificate


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
    cert, key = certificate(tmp_path)
    check(ServerConfig(ws, host="0.0.0.0", allow_remote=True, tls_cert=cert, tls_key=key))
    with pytest.raises(InputError, match="not a TCP port"):
        check(ServerConfig(ws, port=70000))


def test_tls_files_the_server_could_not_use_are_refused(tmp_path: Path) -> None:
    cert, key = certificate(tmp_path)
    other_cert, other_key = certificate(tmp_path, "other-")
    check_tls_files(cert, key)
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    with pytest.raises(InputError, match=r"junk.pem: not a PEM certificate"):
        check_tls_files(junk, key)
    with pytest.raises(InputError, match=r"junk.pem: not a PEM key"):
        check_tls_files(cert, junk)
    with pytest.raises(InputError, match="does not belong to the certificate"):
        check_tls_files(cert, other_key)
    swapped = tmp_path / "swapped.pem"  # a key where the certificate should be
    swapped.write_bytes(key.read_bytes())
    with pytest.raises(InputError, match="not a PEM certificate"):
        check_tls_files(swapped, key)
    torn = tmp_path / "torn.pem"
    torn.write_bytes(cert.read_bytes()[:200] + b"\n-----END CERTIFICATE-----\n")
    with pytest.raises(InputError, match="not a usable PEM certificate and key"):
        check_tls_files(torn, key)
    encrypted = tmp_path / "encrypted.pem"
    loaded = serialization.load_pem_private_key(key.read_bytes(), password=None)
    encrypted.write_bytes(
        loaded.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"passphrase"),
        )
    )
    with pytest.raises(InputError, match="encrypted"):
        check_tls_files(cert, encrypted)
    assert other_cert.exists()
