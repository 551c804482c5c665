"""Run the server: check where it may listen, that someone can log in, then serve."""

from __future__ import annotations

import logging
import sys

from labwarden.core.errors import InputError, WorkspaceError
from labwarden.store.catalog import Catalog
from labwarden.web.config import ServerConfig, check

log = logging.getLogger(__name__)


def preflight(config: ServerConfig) -> None:
    """Everything that must hold before listening: a safe address, a workspace, an admin."""
    check(config)
    if not config.workspace.exists:
        raise WorkspaceError(
            f"no workspace at {config.workspace.root}: scan something first, or create the "
            "first admin with `labwarden users add NAME --role admin`"
        )
    with Catalog.open(config.workspace) as catalog:
        if catalog.users.count("admin") == 0:
            raise InputError(
                "nobody could log in: add the first admin with "
                "`labwarden users add NAME --role admin`"
            )


def serve(config: ServerConfig) -> None:
    """Serve until interrupted (the CLI's ``labwarden serve``)."""
    preflight(config)
    import uvicorn

    from labwarden.web.app import create_app

    app = create_app(config)
    scheme = "https" if config.tls else "http"
    host = f"[{config.host}]" if ":" in config.host else config.host
    print(
        f"labwarden serving {config.workspace.root} at {scheme}://{host}:{config.port}/ "
        "(Ctrl-C stops it)",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        app,
        host=config.host,
        port=config.port,
        ssl_certfile=str(config.tls_cert) if config.tls_cert else None,
        ssl_keyfile=str(config.tls_key) if config.tls_key else None,
        proxy_headers=config.behind_tls_proxy,
        server_header=False,
        log_level="warning",
        access_log=False,
    )
