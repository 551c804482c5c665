"""Helpers for parser tests: parse a file and collect its events and problems."""

from __future__ import annotations

from pathlib import Path

from labwarden.core.events import Event
from labwarden.watch.parsers.base import Issue, LogFile, Parser


def parse(parser: Parser, path: Path) -> tuple[list[Event], list[Issue]]:
    """All events of ``path`` and the problems reported."""
    issues: list[Issue] = []
    events = list(parser.parse(LogFile(path), issues.append))
    return events, issues
