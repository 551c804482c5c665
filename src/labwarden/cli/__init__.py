"""The ``labwarden`` command: thin Typer commands over the library, one module per group."""

from __future__ import annotations

import sys


def run() -> None:
    """The console entry point: :func:`labwarden.cli.app.main`, and Ctrl-C while the command
    groups are still being imported exits 130 quietly too."""
    try:
        from labwarden.cli.app import main
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    main()
