"""What collection hands to the rules: typed records, each knowing where it was read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from labwarden.core.events import Event


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record was read: the host path (or command), its archive copy, its line."""

    path: str
    artifact: str
    line: int | None = None
    """Line of a text file, or record number (from 1) of a binary one."""

    def at(self, line: int | None) -> Origin:
        """The same file at another line."""
        return Origin(self.path, self.artifact, line)


@dataclass(frozen=True, slots=True)
class Account:
    """A line of /etc/passwd."""

    name: str
    uid: int
    gid: int
    gecos: str
    home: str
    shell: str
    password_field: str
    origin: Origin

    @property
    def interactive(self) -> bool:
        """Whether the shell lets the account log in."""
        return not self.shell.endswith(("nologin", "/false", "/sync", "/shutdown", "/halt"))


@dataclass(frozen=True, slots=True)
class Group:
    """A line of /etc/group."""

    name: str
    gid: int
    members: tuple[str, ...]
    origin: Origin


@dataclass(frozen=True, slots=True)
class ShadowEntry:
    """The metadata of a line of /etc/shadow (the hash itself is never kept)."""

    name: str
    state: str
    """``hash``, ``empty`` (no password at all), ``locked`` (``!`` before a hash) or
    ``disabled`` (``*``, ``!!``, ``!``: no password login)."""
    scheme: str | None
    last_change_days: int | None
    origin: Origin


@dataclass(frozen=True, slots=True)
class SudoRule:
    """A user specification of a sudoers file (``who host=(as) commands``)."""

    principal: str
    text: str
    origin: Origin
    mtime: float | None


@dataclass(frozen=True, slots=True)
class LoginRecord:
    """A utmp-layout record (wtmp, btmp, utmp) or a wtmpdb row."""

    source: str
    """``wtmp``, ``btmp``, ``utmp`` or ``wtmpdb``."""
    type: str
    user: str
    line: str
    host: str
    ip: str | None
    time: datetime | None
    pid: int
    origin: Origin


@dataclass(frozen=True, slots=True)
class LastLogin:
    """A lastlog record: an account's most recent login."""

    uid: int
    user: str | None
    time: datetime
    line: str
    host: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class AuthEvent:
    """An authentication line of auth.log, secure or the journal."""

    time: datetime
    outcome: str
    """``success`` or ``failure``."""
    method: str
    user: str | None
    ip: str | None
    program: str
    pid: int | None
    message: str
    origin: Origin


@dataclass(slots=True)
class Process:
    """A running process as /proc shows it."""

    pid: int
    ppid: int
    uid: int | None
    user: str | None
    name: str
    cmdline: list[str]
    exe: str | None
    exe_deleted: bool
    cwd: str | None
    start: datetime | None
    state: str
    tty: int
    rss_kb: int | None
    cpu_seconds: float | None
    exe_replaced: bool = False
    """Its deleted executable's path holds a file again (a package upgrade replaced it)."""
    preload: str | None = None
    """``LD_PRELOAD`` in its environment (the only variable kept)."""
    libraries: list[str] = field(default_factory=list)
    """Files it maps that are deleted or live in temporary folders."""
    origin: Origin | None = None

    @property
    def command(self) -> str:
        """The command line as one string (the name in brackets for kernel threads)."""
        return " ".join(self.cmdline) if self.cmdline else f"[{self.name}]"


@dataclass(frozen=True, slots=True)
class Socket:
    """A socket of /proc/net, with the processes holding it."""

    proto: str
    local: str
    local_port: int
    remote: str
    remote_port: int
    state: str
    uid: int
    inode: int
    pids: tuple[int, ...]
    origin: Origin

    @property
    def listening(self) -> bool:
        """A TCP listener, or a bound UDP socket with no peer."""
        if self.proto.startswith("tcp"):
            return self.state == "LISTEN"
        return self.proto.startswith("udp") and self.remote_port == 0


@dataclass(frozen=True, slots=True)
class CronEntry:
    """A scheduled command: a crontab line, or a cron or at script."""

    schedule: str
    user: str | None
    command: str
    system: bool
    origin: Origin
    mtime: float | None


@dataclass(slots=True)
class Unit:
    """A systemd unit file (with its drop-ins) and whether it is enabled."""

    name: str
    path: str
    scope: str
    """``system`` or ``user``."""
    account: str | None
    directives: dict[str, list[tuple[str, int]]]
    """``Section.Key`` to its values with line numbers (``Service.ExecStart``)."""
    origin: Origin
    mtime: float | None
    enabled_by: list[str] = field(default_factory=list)
    """The ``*.wants``/``*.requires`` links that enable it."""


@dataclass(frozen=True, slots=True)
class AuthorizedKey:
    """A key line of an ``authorized_keys`` file."""

    account: str | None
    key_type: str
    fingerprint: str
    comment: str
    options: str
    origin: Origin
    mtime: float | None


@dataclass(frozen=True, slots=True)
class ScriptLine:
    """A line of a script that runs by itself: rc.local, profiles, init scripts, preload."""

    category: str
    """``rc.local``, ``profile``, ``init.d``, ``preload``, ``environment``, ``modules-load``."""
    text: str
    account: str | None
    origin: Origin
    mtime: float | None


@dataclass(frozen=True, slots=True)
class Module:
    """A loaded kernel module."""

    name: str
    size: int
    state: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class FileInfo:
    """A file met by the walk (set-uid, or in a temporary folder)."""

    path: str
    mode: int
    uid: int
    gid: int
    size: int
    mtime: float
    ctime: float
    magic: str | None = None
    """``elf``, ``script`` or ``None`` (what its first bytes say, for files in temp folders)."""
    verdict: str | None = None
    """What the package database says of a set-uid file: ``stock``, ``modified``, ``unowned``
    or ``unknown`` (no database)."""
    origin: Origin | None = None


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """A command of a shell (or interpreter) history."""

    account: str | None
    command: str
    time: datetime | None
    origin: Origin


@dataclass(frozen=True, slots=True)
class HistoryFile:
    """A history file as found (to tell a cleared or disabled history)."""

    account: str | None
    path: str
    size: int
    mtime: float | None
    link_target: str | None
    origin: Origin


@dataclass(frozen=True, slots=True)
class Interface:
    """A network interface and its flags."""

    name: str
    flags: int
    origin: Origin

    @property
    def promiscuous(self) -> bool:
        """``IFF_PROMISC``: the interface takes every frame on the wire."""
        return bool(self.flags & 0x100)


@dataclass(slots=True)
class Collected:
    """Everything read from the host, for the rules."""

    accounts: list[Account] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    shadow: list[ShadowEntry] = field(default_factory=list)
    sudoers: list[SudoRule] = field(default_factory=list)
    logins: list[LoginRecord] = field(default_factory=list)
    lastlog: list[LastLogin] = field(default_factory=list)
    auth: list[AuthEvent] = field(default_factory=list)
    auth_events: list[Event] = field(default_factory=list)
    """The same lines as lake events (OCSF columns)."""
    processes: list[Process] = field(default_factory=list)
    hidden_pids: list[int] = field(default_factory=list)
    sockets: list[Socket] = field(default_factory=list)
    socket_owners: dict[int, list[int]] = field(default_factory=dict)
    """Socket inode to the processes holding it (from /proc/*/fd)."""
    cron: list[CronEntry] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    keys: list[AuthorizedKey] = field(default_factory=list)
    scripts: list[ScriptLine] = field(default_factory=list)
    modules: list[Module] = field(default_factory=list)
    sysfs_modules: set[str] = field(default_factory=set)
    """Loadable modules that /sys/module shows as live."""
    module_files: set[str] | None = None
    """Module names found under /lib/modules/<release> (``None``: not looked at)."""
    setuid: list[FileInfo] = field(default_factory=list)
    temp_files: list[FileInfo] = field(default_factory=list)
    recent_files: int = 0
    histories: list[HistoryLine] = field(default_factory=list)
    history_files: list[HistoryFile] = field(default_factory=list)
    interfaces: list[Interface] = field(default_factory=list)
    tainted: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    """Host facts: hostname, os, kernel, boot id, machine id."""

    def account(self, name: str | None) -> Account | None:
        """The account named ``name``."""
        for account in self.accounts:
            if account.name == name:
                return account
        return None

    def user_of(self, uid: int | None) -> str | None:
        """The name of the account with ``uid``."""
        for account in self.accounts:
            if account.uid == uid:
                return account.name
        return None
