"""The one way to make a Rich console: user text (paths, key names, notes) prints as it is."""

from __future__ import annotations

from typing import Any

from rich.console import Console


def plain_console(**options: Any) -> Console:
    """A :class:`rich.console.Console` that never turns ``:name:`` codes in printed text into
    emoji (a path ``/data/:a:/x`` stays as it is); ``options`` go to the console as they are."""
    return Console(emoji=False, **options)
