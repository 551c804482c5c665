"""The parsers labwarden knows and automatic format detection."""

from __future__ import annotations

from collections.abc import Mapping

from labwarden.core.errors import InputError
from labwarden.watch.parsers.auditd import AuditdParser
from labwarden.watch.parsers.authlog import AuthLogParser, SyslogClock
from labwarden.watch.parsers.azure_activity import AzureActivityParser
from labwarden.watch.parsers.azure_storage import AzureStorageParser
from labwarden.watch.parsers.base import LogFile, Parser
from labwarden.watch.parsers.cloudtrail import CloudTrailParser
from labwarden.watch.parsers.gcp import GcpAuditParser
from labwarden.watch.parsers.github import GitHubAuditParser
from labwarden.watch.parsers.gitlab import GitLabAuditParser
from labwarden.watch.parsers.http import HttpAccessParser
from labwarden.watch.parsers.journald import JournaldParser
from labwarden.watch.parsers.jsonl import JsonLinesParser
from labwarden.watch.parsers.s3access import S3AccessParser


def all_parsers(
    mapping: Mapping[str, str] | None = None, clock: SyslogClock | None = None
) -> list[Parser]:
    """Every parser in detection order: specific formats first, generic JSON Lines last.

    ``clock`` says what year-less syslog stamps mean (``--year``, ``--timezone``)."""
    return [
        CloudTrailParser(),
        GcpAuditParser(),
        AzureStorageParser(),
        AzureActivityParser(),
        GitHubAuditParser(),
        GitLabAuditParser(),
        AuditdParser(),
        S3AccessParser(),
        HttpAccessParser(),
        AuthLogParser(clock),
        JournaldParser(),
        JsonLinesParser(mapping),
    ]


FORMATS: tuple[str, ...] = tuple(p.name for p in all_parsers())
"""Names accepted by ``--format``."""


def get_parser(
    name: str, mapping: Mapping[str, str] | None = None, clock: SyslogClock | None = None
) -> Parser:
    """The parser called ``name``; raise :class:`InputError` for an unknown one."""
    for parser in all_parsers(mapping, clock):
        if parser.name == name:
            return parser
    raise InputError(f"unknown log format {name!r}; known formats: {', '.join(FORMATS)}")


def detect(
    log: LogFile, mapping: Mapping[str, str] | None = None, clock: SyslogClock | None = None
) -> Parser:
    """The parser for ``log`` judged by its first 64 KiB; raise :class:`InputError` if none fits."""
    sample = log.sample()
    if not sample.strip():
        raise InputError(f"{log.path}: empty file, nothing to ingest")
    for parser in all_parsers(mapping, clock):
        if parser.sniff(sample):
            return parser
    first = sample.strip().splitlines()[0][:80]
    raise InputError(
        f"{log.path}: unknown log format (first line {first!r}); "
        f"use --format with one of {', '.join(FORMATS)}"
    )
