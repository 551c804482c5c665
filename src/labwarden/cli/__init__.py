"""The ``labwarden`` command: thin Typer commands over the library, one module per group."""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType


def _interrupted_while_starting(signum: int, frame: FrameType | None) -> None:
    # nothing has been stored yet: end at once, whatever the import was doing
    sys.stderr.write("interrupted\n")
    sys.stderr.flush()
    os._exit(130)


def run() -> None:
    """The console entry point: :func:`labwarden.cli.app.main`, and Ctrl-C while the command
    groups are still being imported exits 130 quietly too."""
    default = signal.getsignal(signal.SIGINT) is signal.default_int_handler
    if default:
        signal.signal(signal.SIGINT, _interrupted_while_starting)
    from labwarden.cli.app import main

    if default:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    main()
