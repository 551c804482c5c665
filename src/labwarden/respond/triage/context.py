"""What every collector and reader of one run shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from labwarden.respond.triage.acquisition import AcquisitionLog
from labwarden.respond.triage.evidence import Entry, Evidence
from labwarden.respond.triage.host import Host, Unreadable
from labwarden.respond.triage.model import Collected, Origin
from labwarden.respond.triage.options import TriageOptions
from labwarden.respond.triage.packages import PackageIndex


@dataclass(slots=True)
class Context:
    """One run: the host, the evidence being filled, the log, and what was read so far."""

    host: Host
    evidence: Evidence
    log: AcquisitionLog
    options: TriageOptions
    now: datetime
    since: datetime
    collected: Collected = field(default_factory=Collected)
    packages: PackageIndex = field(default_factory=PackageIndex)
    skip: set[Path] = field(default_factory=set)
    """Real folders the walk leaves out (the staging folder, the archive's folder)."""

    def origin(self, entry: Entry, line: int | None = None) -> Origin:
        """Where a record of a staged file was read."""
        return Origin(entry.source, entry.path, line)

    def unreadable(self, problem: Unreadable, artifact: str, *, missing_ok: bool = False) -> None:
        """Note a path that could not be read (a missing one is "not available", or nothing
        with ``missing_ok``)."""
        missing = problem.reason == "no such file"
        if missing and missing_ok:
            return
        self.log.note(problem.path, problem.reason, "not available" if missing else "unreadable",
                      artifact)  # fmt: skip

    def listdir(self, folder: str, artifact: str) -> list[str]:
        """The names in a host folder; an unreadable folder is noted and has none."""
        try:
            return self.host.listdir(folder)
        except Unreadable as exc:
            self.unreadable(exc, artifact)
            return []

    def bad_lines(self, entry: Entry, bad: list[tuple[int, str]], what: str) -> None:
        """Note lines of a file that are not what its format says (the first five)."""
        for number, reason in bad[:5]:
            self.log.note(
                f"{entry.source}:{number}", f"{reason} ({what})", "corrupt", entry.artifact
            )
        if len(bad) > 5:
            self.log.note(
                entry.source,
                f"{len(bad) - 5} more lines that are not {what}",
                "corrupt",
                entry.artifact,
            )
