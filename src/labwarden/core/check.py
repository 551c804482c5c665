"""What a check is, and the one loop that runs checks on an asset.

A check takes an asset and returns findings; it never executes, imports or deserializes what it
reads. The concerns live in :mod:`labwarden.checks` (each behind its ``interface.py``); scans
(:mod:`labwarden.inventory.scan`) and standalone inspections
(:mod:`labwarden.checks.standalone`) both run them with :func:`run_checks`, so the inventory
needs nothing from the checks package but the list of checks it is given.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

from labwarden.core.asset import Asset, FileRecord
from labwarden.core.finding import Finding

log = logging.getLogger(__name__)


def os_path(record: FileRecord) -> str | bytes:
    """The real path of a file record; names that are not UTF-8 keep their original bytes."""
    raw = record.properties.get("os_path")
    if isinstance(raw, str):
        return os.fsencode(raw)
    return record.path


@dataclass(frozen=True, slots=True)
class CheckContext:
    """How a check reads files (by their local path), and the workspace a scan writes to."""

    workspace_root: Path | None = None
    """The workspace folder (``.labwarden``) of a scan; ``None`` for standalone inspections."""
    opener: Callable[[FileRecord], BinaryIO] | None = None
    """How to open files that are not local (objects in a store, read under a byte budget)."""

    def open(self, record: FileRecord) -> BinaryIO:
        """Open a file of the asset for reading bytes (never follows a symbolic link)."""
        if self.opener is not None:
            return self.opener(record)
        fd = os.open(self.local_path(record), os.O_RDONLY | os.O_NOFOLLOW)
        return os.fdopen(fd, "rb")

    def local_path(self, record: FileRecord) -> str | bytes:
        """The file's path on this machine (bytes when its name is not UTF-8)."""
        return os_path(record)


class Check(Protocol):
    """A check: a name, which assets it looks at, and what it finds in them."""

    name: str
    """Short identifier, e.g. ``modelfile``; also the ``labwarden inspect`` sub-command."""
    description: str
    """One line for ``--help`` and reports."""

    def applies_to(self, asset: Asset) -> bool:
        """Whether :meth:`run` has anything to look at in ``asset``."""
        ...

    def run(self, asset: Asset, context: CheckContext) -> Iterable[Finding]:
        """The findings for ``asset``; a file it cannot read is a finding, not an exception."""
        ...


@dataclass(slots=True)
class CheckRun:
    """What the checks found on one asset."""

    ran: list[str] = field(default_factory=list)
    """The checks that completed (their earlier findings on the asset may be resolved)."""
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """``CHECK on URI: what went wrong``, one per check that raised."""


def run_checks(
    asset: Asset,
    checks: Sequence[Check],
    context: CheckContext,
    *,
    only_applicable: bool = True,
    escalate: bool = False,
) -> CheckRun:
    """Run ``checks`` on ``asset`` in order; a check that raises is an error (its traceback is
    logged) and the others go on.

    With ``escalate``, a finding that proves the asset more sensitive (PHI in a table) raises
    ``asset.sensitivity`` before the next check runs, so that later checks (permissions) judge
    the asset as it really is.
    """
    run = CheckRun()
    for check in checks:
        if only_applicable and not check.applies_to(asset):
            continue
        try:
            produced = list(check.run(asset, context))
        except Exception as exc:  # a broken check must not stop the run
            log.exception("check %s failed on %s", check.name, asset.uri)
            run.errors.append(f"{check.name} on {asset.uri}: {exc}")
            continue
        run.ran.append(check.name)
        run.findings.extend(produced)
        if escalate:
            for finding in produced:
                if finding.raises is not None and finding.raises > asset.sensitivity:
                    asset.sensitivity = finding.raises
    return run
