"""Linux ``auth.log`` / ``secure`` (syslog): sshd logins and failures, sudo and su.

Classic syslog lines carry no year: it is taken from the file's modification time, and a date
later than that moment belongs to the year before (logs written across New Year).
Lines of other programs are kept as generic events so that nothing in the file is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from labwarden.core.events import Event, EventClass, parse_iso_time
from labwarden.watch.parsers.base import LineParser, LogFile, RecordError, raw_json

_CLASSIC = re.compile(
    r"^(?P<stamp>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (?P<host>\S+) "
    r"(?P<program>[^\s\[:]+(?:\([^)]*\))?(?: [\d.]+)?)(?:\[(?P<pid>\d+)\])?: ?(?P<message>.*)$"
)
_ISO = re.compile(
    r"^(?P<stamp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) (?P<host>\S+) "
    r"(?P<program>[^\s\[:]+(?:\([^)]*\))?(?: [\d.]+)?)(?:\[(?P<pid>\d+)\])?: ?(?P<message>.*)$"
)
_SNIFF = re.compile(
    r"^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S*) \S+ "
    r"[^\s\[:]+(?:\([^)]*\))?(?:\[\d+\])?:",
    re.M,
)

_SSH = (
    (
        re.compile(r"^Accepted (?P<method>\S+) for (?P<user>\S+) from (?P<ip>\S+) port \d+"),
        "logon",
        "success",
    ),
    (
        re.compile(
            r"^Failed (?P<method>\S+) for (?:invalid user )?(?P<user>\S*) from (?P<ip>\S+) port"
        ),
        "logon",
        "failure",
    ),
    (re.compile(r"^Invalid user (?P<user>\S*) from (?P<ip>\S+)"), "logon", "failure"),
    (
        re.compile(
            r"^Disconnected from (?:authenticating |invalid )?user (?P<user>\S+) (?P<ip>\S+)"
        ),
        "logoff",
        "success",
    ),
    (
        re.compile(r"^pam_unix\(\S+\): session opened for user (?P<user>[^\s(]+)"),
        "session_open",
        "success",
    ),
    (
        re.compile(r"^pam_unix\(\S+\): session closed for user (?P<user>[^\s(]+)"),
        "session_close",
        "success",
    ),
    (
        re.compile(r"authentication failure;.*?rhost=(?P<ip>\S*)(?:\s+user=(?P<user>\S+))?"),
        "logon",
        "failure",
    ),
)
_SUDO = re.compile(
    r"^\s*(?P<user>\S+) : (?:(?P<error>[^;]+?) ; )?TTY=(?P<tty>\S+) ; PWD=(?P<pwd>.*?) ; "
    r"USER=(?P<target>\S+) ;(?: [A-Z]+=\S+ ;)* COMMAND=(?P<command>.*)$"
)
_SU = re.compile(
    r"^(?:\(to (?P<target>\S+)\) (?P<user>\S+) on|Successful su for (?P<t2>\S+) by (?P<u2>\S+))"
)


@dataclass(frozen=True, slots=True)
class _Context:
    reference: datetime


class AuthLogParser(LineParser):
    """Syslog authentication logs."""

    name = "authlog"
    description = "Linux auth.log / secure (sshd, sudo, su)"

    def sniff(self, sample: str) -> bool:
        """A syslog time, a host and a ``program[pid]:`` tag."""
        return bool(_SNIFF.search(sample))

    def context(self, log: LogFile) -> Any:
        """The file's modification time supplies the year of classic syslog stamps."""
        try:
            reference = datetime.fromtimestamp(log.path.stat().st_mtime, UTC)
        except OSError:
            reference = datetime.now(UTC)
        return _Context(reference)

    def parse_line(self, line: str, context: Any) -> Event | None:
        """One syslog line."""
        match = _CLASSIC.match(line) or _ISO.match(line)
        if not match:
            raise RecordError("not a syslog line (expected 'time host program[pid]: message')")
        program = match["program"]
        message = match["message"]
        base = program.split("(", 1)[0].split(" ", 1)[0]
        record: dict[str, Any] = {
            "host": match["host"],
            "program": program,
            "pid": int(match["pid"]) if match["pid"] else None,
            "message": message,
        }
        event: Event = {
            "time": _time(match["stamp"], context.reference),
            "class_uid": 0,
            "activity": "other",
            "host": match["host"],
            "process": base,
            "api_service": base,
        }
        if base == "sshd" or "pam_unix" in message:
            _ssh(event, message)
        elif base == "sudo":
            _sudo(event, record, message)
        elif base == "su":
            _su(event, message)
        event["raw"] = raw_json(record)
        return event


def _time(stamp: str, reference: datetime) -> datetime:
    if not stamp[0].isdigit():
        return _classic_time(stamp, reference)
    try:
        return parse_iso_time(stamp)
    except ValueError:
        raise RecordError(f"bad time {stamp!r}") from None


def _ssh(event: Event, message: str) -> None:
    """A logon, logoff or failure of sshd or PAM."""
    for pattern, activity, status in _SSH:
        found = pattern.search(message)
        if found:
            groups = found.groupdict()
            event.update(
                class_uid=int(EventClass.AUTHENTICATION),
                activity=activity,
                status=status,
                actor_user=groups.get("user") or None,
                src_ip=groups.get("ip") or None,
                api_operation=groups.get("method") or activity,
            )
            return


def _sudo(event: Event, record: dict[str, Any], message: str) -> None:
    """A command run with sudo (and where, as whom)."""
    found = _SUDO.match(message)
    if found:
        event.update(
            class_uid=int(EventClass.PROCESS_ACTIVITY),
            activity="execute",
            actor_user=found["user"],
            status="failure" if found["error"] else "success",
            status_code=found["error"],
            command=found["command"],
            api_operation="sudo",
            resource_type="user",
            resource_uri=found["target"],
        )
        record.update(tty=found["tty"], pwd=found["pwd"], target_user=found["target"])


def _su(event: Event, message: str) -> None:
    """A change of user with su."""
    found = _SU.search(message)
    if found:
        event.update(
            class_uid=int(EventClass.AUTHENTICATION),
            activity="logon",
            actor_user=found["user"] or found["u2"],
            status="failure" if "FAILED" in message else "success",
            api_operation="su",
            resource_type="user",
            resource_uri=found["target"] or found["t2"],
        )


def _classic_time(stamp: str, reference: datetime) -> datetime:
    try:
        when = datetime.strptime(f"{reference.year} {stamp}", "%Y %b %d %H:%M:%S")
    except ValueError:
        raise RecordError(f"bad time {stamp!r}") from None
    when = when.replace(tzinfo=UTC)
    if when > reference.replace(microsecond=0) and (when - reference).days > 1:
        when = when.replace(year=reference.year - 1)
    return when
