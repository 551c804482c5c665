"""How ``labwarden serve`` listens, and the rule that keeps it on loopback unless told otherwise."""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from labwarden.core.errors import InputError
from labwarden.core.workspace import Workspace

DEFAULT_PORT = 8700


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """What ``labwarden serve`` was told."""

    workspace: Workspace
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    allow_remote: bool = False
    tls_cert: Path | None = None
    tls_key: Path | None = None
    behind_tls_proxy: bool = False
    """An explicit statement that a reverse proxy in front terminates TLS."""
    connections: int = 8
    """Catalog connections in the pool (requests beyond wait for one)."""
    session_hours: float = 12.0

    @property
    def tls(self) -> bool:
        """Whether the server itself speaks TLS."""
        return self.tls_cert is not None

    @property
    def secure_cookies(self) -> bool:
        """Whether browsers reach the server over HTTPS (directly or through a proxy)."""
        return self.tls or self.behind_tls_proxy


def is_loopback(host: str) -> bool:
    """Whether ``host`` names only this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _no_passphrase() -> bytes:
    raise InputError("the key is encrypted; give an unencrypted PEM key (readable by you only)")


def check_tls_files(cert: Path, key: Path) -> None:
    """Refuse a certificate and key that the server could not use: not PEM, unreadable, an
    encrypted key (nobody is there to type its passphrase), or a key of another certificate."""
    for path, marker, what in ((cert, "CERTIFICATE-----", "certificate"), (key, "KEY-----", "key")):
        try:
            head = path.read_bytes()[: 1 << 20]
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        if b"-----BEGIN " not in head or marker.encode() not in head:
            raise InputError(f"{path}: not a PEM {what} (no -----BEGIN ...{marker} line)")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert, key, password=_no_passphrase)
    except InputError as exc:
        raise InputError(f"{key}: {exc.message}") from exc
    except ssl.SSLError as exc:
        why = "the key does not belong to the certificate" if "MISMATCH" in str(exc) else exc
        raise InputError(f"{cert}, {key}: not a usable PEM certificate and key: {why}") from exc
    except OSError as exc:
        raise InputError(f"{cert}, {key}: cannot read: {exc.strerror or exc}") from exc


def check(config: ServerConfig) -> None:
    """Refuse a configuration that would expose the server without TLS or by accident."""
    if (config.tls_cert is None) != (config.tls_key is None):
        raise InputError("--tls-cert and --tls-key go together")
    for path in (config.tls_cert, config.tls_key):
        if path is not None and not path.is_file():
            raise InputError(f"{path}: no such file")
    if config.tls_cert is not None and config.tls_key is not None:
        check_tls_files(config.tls_cert, config.tls_key)
    if not 0 < config.port < 65536:
        raise InputError(f"--port {config.port} is not a TCP port")
    if is_loopback(config.host):
        return
    if not config.allow_remote:
        raise InputError(
            f"refusing to listen on {config.host}: it is reachable from other machines. "
            "Pass --allow-remote with --tls-cert/--tls-key, or with --behind-tls-proxy when a "
            "reverse proxy terminates TLS in front of labwarden"
        )
    if not (config.tls or config.behind_tls_proxy):
        raise InputError(
            f"--allow-remote on {config.host} needs TLS: give --tls-cert and --tls-key, or "
            "state --behind-tls-proxy when a reverse proxy terminates TLS"
        )
