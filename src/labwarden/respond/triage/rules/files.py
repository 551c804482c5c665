"""Files: set-uid programs outside the system folders or changed from their package,
executables in temporary folders, and histories cleared or turned off."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import UTC, datetime

from labwarden.core.finding import Finding
from labwarden.core.values import Severity
from labwarden.respond.triage.model import FileInfo, Origin
from labwarden.respond.triage.rules.base import View, finding
from labwarden.respond.triage.rules.patterns import history_tampering

SETUID_ARTIFACT = "artifacts/walk/setuid.tsv"
TEMP_ARTIFACT = "artifacts/walk/temp-folders.txt"


def _bits(info: FileInfo) -> str:
    kinds = [n for n, b in (("set-uid", stat.S_ISUID), ("set-gid", stat.S_ISGID)) if info.mode & b]
    return " and ".join(kinds)


def _when(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def _setuid_severity(view: View, info: FileInfo) -> tuple[Severity, str] | None:
    if not view.known.in_system_folder(info.path):
        return Severity.HIGH, "outside the system folders"
    if info.verdict == "modified":
        return Severity.CRITICAL, "its bytes differ from its package's"
    if info.verdict == "unowned":
        return Severity.HIGH, "no package installed it"
    if info.verdict == "unknown" and info.path not in view.known.setuid:
        severity = Severity.HIGH if view.recent(info.ctime) else Severity.MEDIUM
        return severity, "not a program distributions ship set-uid"
    return None


def setuid(view: View) -> Iterator[Finding]:
    """Set-uid and set-gid files an intruder would leave (a root shell kept for later)."""
    for info in view.collected.setuid:
        judged = _setuid_severity(view, info)
        if judged is None:
            continue
        severity, why = judged
        owner = "root" if info.uid == 0 else f"uid {info.uid}"
        yield finding(
            "files.setuid",
            severity,
            Origin(info.path, SETUID_ARTIFACT),
            f"{info.path} is {_bits(info)} ({owner}) and {why}",
            "Remove the bit (chmod u-s,g-s) after archiving the file; find who made it "
            "(its times in the bodyfile, the histories).",
            mode=stat.filemode(info.mode),
            owner_uid=info.uid,
            changed=_when(info.ctime),
            package=info.verdict,
        )


def _temp_group(path: str) -> str:
    """The first folder (or file) below the temporary folder: one tool's drop, one venv."""
    for base in ("/dev/shm/", "/var/tmp/", "/tmp/"):
        if path.startswith(base):
            return base + path[len(base) :].split("/", 1)[0]
    return path


def _temp_severity(view: View, group: list[FileInfo]) -> Severity:
    executable = [i for i in group if i.mode & 0o111]
    hidden = any("/." in i.path for i in executable)
    if hidden:
        return Severity.HIGH
    if any(i.magic == "elf" for i in executable):
        recent = any(view.recent(i.mtime) for i in executable)
        return Severity.HIGH if recent and len(group) == 1 else Severity.MEDIUM
    return Severity.LOW


def temp_executables(view: View) -> Iterator[Finding]:
    """Programs and executable scripts in /tmp, /var/tmp and /dev/shm, one finding per drop
    (the first folder below the temporary folder)."""
    groups: dict[str, list[FileInfo]] = {}
    for info in view.collected.temp_files:
        executable = bool(info.mode & 0o111)
        if info.magic == "elf" or (info.magic == "script" and executable):
            groups.setdefault(_temp_group(info.path), []).append(info)
    for top, group in sorted(groups.items()):
        first = group[0]
        kinds = sorted({"ELF programs" if i.magic == "elf" else "scripts" for i in group})
        yield finding(
            "files.temp-executable",
            _temp_severity(view, group),
            Origin(first.path, TEMP_ARTIFACT),
            f"{top} holds {len(group)} {' and '.join(kinds)} in a temporary folder, such as "
            f"{first.path} (owner uid {first.uid}, modified {_when(first.mtime)})",
            "Find who put them there and whether a process runs them (the processes "
            "artifact); small files are in the archive for analysis.",
            files=[i.path for i in group][:20],
            count=len(group),
        )


def history_cleared(view: View) -> Iterator[Finding]:
    """Histories linked to /dev/null or emptied, and commands that erase histories or logs."""
    for history in view.collected.history_files:
        if history.link_target is not None:
            yield finding(
                "history.disabled",
                Severity.HIGH,
                history.origin,
                f"{history.path} of {history.account} is a link to {history.link_target}: "
                "nothing the account types is kept",
                "Assume the account's commands were hidden; rely on the journal, auditd and "
                "process accounting instead, and restore a real history file.",
                account=history.account,
            )
        elif history.size == 0 and view.recent(history.mtime):
            yield finding(
                "history.cleared",
                Severity.MEDIUM,
                history.origin,
                f"{history.path} of {history.account} was emptied within the window",
                "Look for the commands elsewhere: the journal, auditd, other accounts' histories.",
                account=history.account,
            )
    for line in view.collected.histories:
        how = history_tampering(line.command)
        if how is None:
            continue
        logs = "login records" in how or "journal" in how
        yield finding(
            "history.cleared",
            Severity.CRITICAL if logs else Severity.HIGH,
            line.origin,
            f"{line.account} erased traces ({how}): {line.command[:300]}",
            "Assume what came before was hidden; recover what you can from the journal, "
            "backups and other hosts' logs.",
            account=line.account,
            command=line.command[:2000],
            time=line.time.isoformat() if line.time else None,
        )
