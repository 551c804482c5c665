"""Logins: password guessing and spraying (followed by a success: critical), and successful
logins from sources the host had never seen."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from labwarden.core.events import network_of
from labwarden.core.finding import Finding
from labwarden.core.values import Severity
from labwarden.respond.triage.model import AuthEvent, LoginRecord, Origin
from labwarden.respond.triage.rules.base import View, finding

GUESSES = 10
"""Failed attempts from one source that make password guessing."""
SPRAY_USERS = 5
"""Distinct accounts tried from one source that make spraying."""
FOLLOW_UP = timedelta(days=1)
"""A success this long after the last failure still counts as its outcome."""
LISTED_SOURCES = 10
_LOCAL = {"", ":0", ":0.0", "localhost", "127.0.0.1", "::1"}
_FAILED = ("Failed ",)
_INVALID = ("Invalid user", "Connection closed by invalid user", "Disconnected from invalid user")


@dataclass(slots=True)
class _Source:
    attempts: int = 0
    users: set[str] = field(default_factory=set)
    first: datetime | None = None
    last: datetime | None = None
    origin: Origin | None = None

    def add(self, when: datetime | None, user: str | None, origin: Origin, count: int = 1) -> None:
        self.attempts += count
        if user:
            self.users.add(user)
        if when is not None:
            self.first = when if self.first is None or when < self.first else self.first
            self.last = when if self.last is None or when > self.last else self.last
        self.origin = self.origin or origin


def _source(ip: str | None, host: str | None) -> str | None:
    value = ip or host or ""
    return None if value in _LOCAL else value


def _counted(group: list[AuthEvent]) -> list[AuthEvent]:
    """The lines of one sshd process that count its attempts: its ``Failed ...`` lines; else
    its ``Invalid user`` line (it left before a password); else its PAM failure lines. The
    kinds describe the same attempts, so only one kind is counted."""
    failed = [e for e in group if e.message.startswith(_FAILED)]
    invalid = [e for e in group if e.message.startswith(_INVALID)]
    return failed or invalid[:1] or group


def _attempts(events: list[AuthEvent]) -> dict[str, _Source]:
    """Failed attempts by source, counted per sshd process (see :func:`_counted`)."""
    by_pid: dict[tuple[str, int | None, str], list[AuthEvent]] = {}
    for event in events:
        source = _source(event.ip, None)
        if event.outcome == "failure" and source:
            by_pid.setdefault((source, event.pid, event.origin.path), []).append(event)
    sources: dict[str, _Source] = {}
    for (source, pid, _path), group in by_pid.items():
        counted = _counted(group) if pid is not None else group
        entry = sources.setdefault(source, _Source())
        if pid is None:
            for event in counted:
                entry.add(event.time, event.user, event.origin)
            continue
        for event in counted:
            entry.add(event.time, event.user, event.origin, count=0)
        entry.attempts += len(counted)
    return sources


def _btmp(records: list[LoginRecord], sources: dict[str, _Source]) -> None:
    """Failed logins of btmp, for sources the logs do not cover (rotated away, or no logs)."""
    counted: dict[str, _Source] = {}
    for record in records:
        source = _source(record.ip, record.host)
        if record.source == "btmp" and source and source not in sources:
            counted.setdefault(source, _Source()).add(record.time, record.user, record.origin)
    sources.update(counted)


@dataclass(frozen=True, slots=True)
class _Success:
    source: str
    user: str
    time: datetime | None
    origin: Origin
    how: str


def successes(view: View) -> list[_Success]:
    """Successful remote logins: ``Accepted`` lines and wtmp/wtmpdb sessions with a host."""
    found: list[_Success] = []
    for event in view.collected.auth:
        source = _source(event.ip, None)
        if event.outcome == "success" and source and event.program == "sshd":
            found.append(
                _Success(source, event.user or "?", event.time, event.origin, event.method)
            )
    for record in view.collected.logins:
        source = _source(record.ip, record.host)
        if record.source in ("wtmp", "wtmpdb") and record.type == "USER_PROCESS" and source:
            found.append(_Success(source, record.user, record.time, record.origin, record.source))
    return found


def _outcome(source: _Source, wins: list[_Success]) -> _Success | None:
    """The first success from the source between its first failure and a day after its last."""
    if source.first is None or source.last is None:
        return None
    first, end = source.first, source.last + FOLLOW_UP
    timed = [(w.time, w) for w in wins if w.time is not None and first <= w.time <= end]
    return min(timed, key=lambda pair: pair[0])[1] if timed else None


def guessing(view: View) -> Iterator[Finding]:
    """Password guessing or spraying from one source; critical when a login from it followed."""
    sources = _attempts(view.collected.auth)
    _btmp(view.collected.logins, sources)
    wins: dict[str, list[_Success]] = {}
    for win in successes(view):
        wins.setdefault(win.source, []).append(win)
    quiet: list[tuple[str, _Source, str]] = []
    for address, source in sorted(sources.items(), key=lambda kv: -kv[1].attempts):
        spray = len(source.users) >= SPRAY_USERS
        if source.attempts < GUESSES and not spray:
            continue
        what = "password spraying" if spray else "password guessing"
        outcome = _outcome(source, wins.get(address, []))
        if outcome is not None:
            yield _breach(address, source, outcome, what)
        else:
            quiet.append((address, source, what))
    yield from _failed_only(quiet)


def _breach(address: str, source: _Source, win: _Success, what: str) -> Finding:
    return finding(
        "auth.guessing-then-login",
        Severity.CRITICAL,
        win.origin,
        f"{what} from {address} ({source.attempts} failed attempts on {len(source.users)} "
        f"accounts) followed by a successful login as {win.user} ({win.how})",
        "Treat the account as compromised: lock it, kill its sessions, rotate its credentials "
        f"and keys, block {address}, and review what it did after the login.",
        source=address,
        attempts=source.attempts,
        accounts_tried=sorted(source.users)[:20],
        first_failure=source.first.isoformat() if source.first else None,
        last_failure=source.last.isoformat() if source.last else None,
        login_user=win.user,
        login_time=win.time.isoformat() if win.time else None,
        first_failure_at=str(source.origin.path) + f":{source.origin.line}"
        if source.origin
        else None,
    )


def _failed_only(quiet: list[tuple[str, _Source, str]]) -> Iterator[Finding]:
    for address, source, what in quiet[:LISTED_SOURCES]:
        spray = what == "password spraying"
        yield finding(
            "auth.spraying" if spray else "auth.guessing",
            Severity.MEDIUM if spray else Severity.LOW,
            source.origin,
            f"{what} from {address}: {source.attempts} failed attempts on "
            f"{len(source.users)} accounts, no successful login from it",
            "Block the source, allow only keys for SSH (PasswordAuthentication no), and rate "
            "limit (fail2ban or sshd MaxStartups).",
            source=address,
            attempts=source.attempts,
            accounts_tried=sorted(source.users)[:20],
        )
    rest = quiet[LISTED_SOURCES:]
    if rest:
        total = sum(s.attempts for _, s, _ in rest)
        yield finding(
            "auth.guessing",
            Severity.LOW,
            rest[0][1].origin,
            f"{len(rest)} more sources guessed passwords ({total} failed attempts), none logged in",
            "Block the sources and allow only keys for SSH.",
            sources=[a for a, _, _ in rest[:50]],
        )


def new_sources(view: View) -> Iterator[Finding]:
    """Successful logins within ``--since`` from a source never seen in the records before."""
    wins = successes(view)
    start = view.since
    before = {w.source for w in wins if w.time is not None and w.time < start}
    if not before:
        return  # no history before the window: every source would be new
    networks = {network_of(s) for s in before} - {None}
    reported: set[tuple[str, str]] = set()
    for win in sorted(wins, key=lambda w: (w.time is None, w.time)):
        if win.time is None or win.time < start or win.source in before:
            continue
        if (win.source, win.user) in reported:
            continue
        reported.add((win.source, win.user))
        known_network = network_of(win.source) in networks
        severity = Severity.LOW if known_network else Severity.MEDIUM
        if win.user == "root":
            severity = Severity.HIGH
        yield finding(
            "auth.new-source",
            severity,
            win.origin,
            f"login as {win.user} from {win.source}, a source never seen before "
            f"{start.date().isoformat()}" + (" (its network was)" if known_network else ""),
            "Confirm with the account's owner that the login was theirs; if not, treat the "
            "account as compromised.",
            source=win.source,
            user=win.user,
            time=win.time.isoformat(),
            known_sources=len(before),
        )
