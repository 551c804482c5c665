"""Linux ``auth.log`` / ``secure`` (syslog): sshd logins and failures, sudo and su.

Classic syslog lines carry no year and no time zone. ``--year`` and ``--timezone`` (a
:class:`SyslogClock`) give them; without a year it is taken from the file's modification time
(a date later than that moment belongs to the year before: logs written across New Year), and
the file gets one note saying so. Without a time zone the stamps are UTC. Lines of other
programs are kept as generic events so that nothing in the file is lost.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
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
        "",
    ),
    (
        re.compile(
            r"^Failed (?P<method>\S+) for (?:invalid user )?(?P<user>\S*) from (?P<ip>\S+) port"
        ),
        "logon",
        "failure",
        "",
    ),
    (
        re.compile(r"^Invalid user (?P<user>\S*) from (?P<ip>\S+)"),
        "logon",
        "failure",
        "invalid_user",
    ),
    (
        re.compile(
            r"^Connection (?:closed|reset) by (?:authenticating|invalid) user (?P<user>\S*) "
            r"(?P<ip>\S+) port \d+ \[preauth\]"
        ),
        "logon",
        "failure",
        "preauth_close",
    ),
    (
        re.compile(
            r"^Disconnected from (?:authenticating |invalid )?user (?P<user>\S+) (?P<ip>\S+)"
        ),
        "logoff",
        "success",
        "",
    ),
    (
        re.compile(r"^pam_unix\(\S+\): session opened for user (?P<user>[^\s(]+)"),
        "session_open",
        "success",
        "",
    ),
    (
        re.compile(r"^pam_unix\(\S+\): session closed for user (?P<user>[^\s(]+)"),
        "session_close",
        "success",
        "",
    ),
    (
        re.compile(r"authentication failure;.*?rhost=(?P<ip>\S*)(?:\s+user=(?P<user>\S+))?"),
        "logon",
        "failure",
        "pam_failure",
    ),
)
"""``(pattern, activity, status, operation)``: the operation is the method when the line names
one (``password``, ``publickey``), else this name, else the activity. An attempt is a
``Failed <method>`` line, a ``[preauth]`` close for keys that are never tried, or PAM's
``authentication failure`` (:class:`PamPairing` counts it once when sshd also logs it)."""

REPEATED = "repeated_attempt"
"""``status_code`` of a failure line that repeats an attempt another line counts (every other
logon failure has ``attempt``, so that a rule's ``not`` never meets a missing value)."""
_PAIRED_METHODS = frozenset({"password", "keyboard-interactive/pam"})
"""sshd methods whose failures PAM logs too (never ``publickey``)."""


class PamPairing:
    """One attempt, one failure, whichever lines a host writes for it.

    A password guess against sshd with PAM is logged twice, by ``pam_unix`` (``authentication
    failure; ... rhost=``) and by sshd (``Failed password``, just after); hosts that log through
    PAM only (older syslog setups, sshd logging to another facility) have the first line alone,
    and hosts without PAM the second alone. Within one sshd process, a line of one kind that
    finds an unpaired line of the other kind before it is marked :data:`REPEATED`; the first of
    the two counts. One pairing per file.
    """

    def __init__(self) -> None:
        self._pending: dict[tuple[str, int | None], tuple[str, int]] = {}

    def pair(self, event: Event, host: str, pid: int | None) -> None:
        """Note a PAM or sshd password failure, or mark it when it repeats one."""
        if event.get("activity") != "logon" or event.get("status") != "failure":
            return
        event["status_code"] = "attempt"
        operation = event.get("api_operation")
        kind = "pam" if operation == "pam_failure" else "sshd"
        if kind == "sshd" and operation not in _PAIRED_METHODS:
            return
        key = (host, pid)
        pending, count = self._pending.get(key, (kind, 0))
        if pending != kind and count:
            self._pending[key] = (pending, count - 1)
            event["status_code"] = REPEATED
        else:
            self._pending[key] = (kind, count + 1 if pending == kind else 1)


_SUDO = re.compile(
    r"^\s*(?P<user>\S+) : (?:(?P<error>[^;]+?) ; )?TTY=(?P<tty>\S+) ; PWD=(?P<pwd>.*?) ; "
    r"USER=(?P<target>\S+) ;(?: [A-Z]+=\S+ ;)* COMMAND=(?P<command>.*)$"
)
_SU = re.compile(
    r"^(?:\(to (?P<target>\S+)\) (?P<user>\S+) on|Successful su for (?P<t2>\S+) by (?P<u2>\S+))"
)


@dataclass(frozen=True, slots=True)
class SyslogClock:
    """What year-less, zone-less syslog stamps mean: ``--year`` and ``--timezone``."""

    year: int | None = None
    """The year of the stamps; ``None``: from the file's modification time (and a note)."""
    zone: tzinfo = UTC
    """The zone the stamps were written in (the host's local time, often)."""


@dataclass(slots=True)
class _Context:
    reference: datetime
    clock: SyslogClock
    pairing: PamPairing = field(default_factory=PamPairing)
    guessed: int = 0
    first_guessed: Event | None = None
    """The first event whose year was guessed (its ``origin_line`` is set after parsing)."""


_SSHD = frozenset({"sshd", "sshd-session", "sshd-auth"})
"""OpenSSH 9.8 and later log as ``sshd-session`` and ``sshd-auth``."""


class AuthLogParser(LineParser):
    """Syslog authentication logs."""

    name = "authlog"
    description = "Linux auth.log / secure (sshd, sudo, su)"

    def __init__(self, clock: SyslogClock | None = None) -> None:
        self.clock = clock or SyslogClock()

    def sniff(self, sample: str) -> bool:
        """A syslog time, a host and a ``program[pid]:`` tag."""
        return bool(_SNIFF.search(sample))

    def context(self, log: LogFile) -> Any:
        """The file's modification time supplies the year of classic syslog stamps, unless
        the clock gives one."""
        try:
            reference = datetime.fromtimestamp(log.path.stat().st_mtime, UTC)
        except OSError:
            reference = datetime.now(UTC)
        return _Context(reference, self.clock)

    def parse_line(self, line: str, context: Any) -> Event | None:
        """One syslog line."""
        match = _CLASSIC.match(line) or _ISO.match(line)
        if not match:
            raise RecordError("not a syslog line (expected 'time host program[pid]: message')")
        pid = int(match["pid"]) if match["pid"] else None
        event = syslog_event(
            _time(match["stamp"], context), match["host"], match["program"], pid, match["message"]
        )
        context.pairing.pair(event, match["host"], pid)
        if not match["stamp"][0].isdigit() and context.clock.year is None:
            context.guessed += 1
            context.first_guessed = context.first_guessed or event
        return event

    def notes(self, context: Any) -> list[tuple[int, str]]:
        """One note per file whose year was guessed."""
        first = context.first_guessed
        if first is None:
            return []
        return [
            (
                int(first.get("origin_line") or 0),
                f"syslog times carry no year: the year of {context.guessed} lines was taken from "
                f"the file's modification time ({context.reference:%Y-%m-%d}; a date after it "
                f"is the year before, so this line is {first['time'].year}); give --year "
                "(and --timezone) if that is wrong",
            )
        ]


def syslog_event(when: datetime, host: str, program: str, pid: int | None, message: str) -> Event:
    """The event of one syslog message (from a line of a file or a journal record)."""
    base = program.split("(", 1)[0].split(" ", 1)[0]
    record: dict[str, Any] = {"host": host, "program": program, "pid": pid, "message": message}
    event: Event = {
        "time": when,
        "class_uid": 0,
        "activity": "other",
        "host": host,
        "process": "sshd" if base in _SSHD else base,
        "api_service": "sshd" if base in _SSHD else base,
    }
    if base in _SSHD or "pam_unix" in message:
        _ssh(event, message)
    elif base == "sudo":
        _sudo(event, record, message)
    elif base == "su":
        _su(event, message)
    event["raw"] = raw_json(record)
    return event


def _time(stamp: str, context: _Context) -> datetime:
    if not stamp[0].isdigit():
        return _classic_time(stamp, context)
    try:
        return parse_iso_time(stamp)
    except ValueError:
        raise RecordError(f"bad time {stamp!r}") from None


def _ssh(event: Event, message: str) -> None:
    """A logon, logoff or failure of sshd or PAM."""
    for pattern, activity, status, operation in _SSH:
        found = pattern.search(message)
        if found:
            groups = found.groupdict()
            event.update(
                class_uid=int(EventClass.AUTHENTICATION),
                activity=activity,
                status=status,
                actor_user=groups.get("user") or None,
                src_ip=groups.get("ip") or None,
                api_operation=groups.get("method") or operation or activity,
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


def _classic_time(stamp: str, context: _Context) -> datetime:
    clock, reference = context.clock, context.reference
    year = clock.year if clock.year is not None else reference.year
    try:
        # The year comes first so that 29 February parses in a leap year.
        when = datetime.strptime(f"{year} {stamp}", "%Y %b %d %H:%M:%S")
    except ValueError:
        raise RecordError(f"bad time {stamp!r}") from None
    when = when.replace(tzinfo=clock.zone).astimezone(UTC)
    if (
        clock.year is None
        and when > reference.replace(microsecond=0)
        and (when - reference).days > 1
    ):
        with contextlib.suppress(ValueError):  # 29 February of a leap year stays as it is
            when = when.replace(year=reference.year - 1)
    return when
