"""``labwarden serve``: the REST API and the web dashboard over this workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from labwarden.cli.state import STATE


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback unless --allow-remote).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", help="TCP port.")] = 8700,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote", help="Listen beyond loopback (needs TLS or --behind-tls-proxy)."
        ),
    ] = False,
    tls_cert: Annotated[
        Path | None, typer.Option("--tls-cert", help="PEM certificate chain for HTTPS.")
    ] = None,
    tls_key: Annotated[
        Path | None, typer.Option("--tls-key", help="PEM private key for HTTPS.")
    ] = None,
    behind_tls_proxy: Annotated[
        bool,
        typer.Option(
            "--behind-tls-proxy",
            help="A reverse proxy in front terminates TLS (cookies are marked Secure).",
        ),
    ] = False,
    connections: Annotated[
        int, typer.Option("--connections", help="Catalog connections in the pool.", min=1)
    ] = 8,
) -> None:
    """Serve the REST API (/api/v1/) and the dashboard; log in as a `labwarden users` user."""
    from labwarden.web import security

    security.require_extra()
    from labwarden.web.config import ServerConfig
    from labwarden.web.serve import serve as run

    run(
        ServerConfig(
            workspace=STATE.resolve(),
            host=host,
            port=port,
            allow_remote=allow_remote,
            tls_cert=tls_cert,
            tls_key=tls_key,
            behind_tls_proxy=behind_tls_proxy,
            connections=connections,
        )
    )
