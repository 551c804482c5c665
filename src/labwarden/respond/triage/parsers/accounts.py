"""/etc/passwd, /etc/group, /etc/shadow and /etc/gshadow.

The shadow files are read for metadata only: whether an account has a password hash, none at
all, or a locked one, and which scheme. :func:`redact_shadow` replaces every hash before the
file is archived, so no hash leaves the host in the archive or the report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

SCHEMES = {
    "1": "md5crypt",
    "2a": "bcrypt",
    "2b": "bcrypt",
    "2y": "bcrypt",
    "5": "sha256crypt",
    "6": "sha512crypt",
    "7": "scrypt",
    "y": "yescrypt",
    "gy": "gost-yescrypt",
    "sha1": "sha1crypt",
}


@dataclass(frozen=True, slots=True)
class PasswdLine:
    """One account line."""

    line: int
    name: str
    password: str
    uid: int
    gid: int
    gecos: str
    home: str
    shell: str


def parse_passwd(
    lines: Iterable[tuple[int, str]],
) -> tuple[list[PasswdLine], list[tuple[int, str]]]:
    """Accounts, and the lines that are not ``name:pw:uid:gid:gecos:home:shell``."""
    found: list[PasswdLine] = []
    bad: list[tuple[int, str]] = []
    for number, text in _content(lines):
        fields = text.split(":")
        if len(fields) != 7:
            bad.append((number, f"{len(fields)} fields instead of 7"))
            continue
        name, password, uid, gid, gecos, home, shell = fields
        if not name or not uid.isdigit() or not gid.isdigit():
            bad.append((number, "empty name or a uid/gid that is not a number"))
            continue
        found.append(PasswdLine(number, name, password, int(uid), int(gid), gecos, home, shell))
    return found, bad


@dataclass(frozen=True, slots=True)
class GroupLine:
    """One group line."""

    line: int
    name: str
    gid: int
    members: tuple[str, ...]


def parse_group(lines: Iterable[tuple[int, str]]) -> tuple[list[GroupLine], list[tuple[int, str]]]:
    """Groups, and the lines that are not ``name:pw:gid:members``."""
    found: list[GroupLine] = []
    bad: list[tuple[int, str]] = []
    for number, text in _content(lines):
        fields = text.split(":")
        if len(fields) != 4 or not fields[2].isdigit():
            bad.append((number, "not name:password:gid:members"))
            continue
        members = tuple(m for m in fields[3].split(",") if m)
        found.append(GroupLine(number, fields[0], int(fields[2]), members))
    return found, bad


@dataclass(frozen=True, slots=True)
class ShadowLine:
    """The metadata of one shadow line."""

    line: int
    name: str
    state: str
    scheme: str | None
    last_change_days: int | None


def password_state(field: str) -> tuple[str, str | None]:
    """What a shadow password field says: (state, scheme); see :class:`ShadowEntry`."""
    if field == "":
        return "empty", None
    if field in ("*", "!", "!!", "!*", "*LK*", "x", "NP"):
        return "disabled", None
    locked = field.startswith("!")
    core = field.lstrip("!")
    if core.startswith("<redacted=") and core.endswith(">"):
        scheme = core[len("<redacted=") : -1] or "unknown"
    elif core.startswith("$"):
        scheme = SCHEMES.get(core.split("$")[1], "unknown") if core.count("$") >= 2 else "unknown"
    elif core.startswith("*"):
        return "disabled", None
    elif len(core) == 13:
        scheme = "descrypt"
    else:
        scheme = "unknown"
    return ("locked" if locked else "hash"), scheme


def parse_shadow(
    lines: Iterable[tuple[int, str]],
) -> tuple[list[ShadowLine], list[tuple[int, str]]]:
    """Shadow metadata, and the lines that are not ``name:password:lastchg:...``."""
    found: list[ShadowLine] = []
    bad: list[tuple[int, str]] = []
    for number, text in _content(lines):
        fields = text.split(":")
        if len(fields) < 2 or not fields[0]:
            bad.append((number, "not name:password:..."))
            continue
        state, scheme = password_state(fields[1])
        change = fields[2] if len(fields) > 2 else ""
        found.append(
            ShadowLine(number, fields[0], state, scheme, int(change) if change.isdigit() else None)
        )
    return found, bad


_CRYPT = re.compile(rb"\$[0-9A-Za-z]{1,8}\$[^:\s]*")


def redact_shadow(data: bytes) -> bytes:
    """The shadow (or gshadow) file with every password hash replaced by ``<redacted=scheme>``.

    Markers that carry no secret (``*``, ``!``, ``!!``, an empty field) are kept, and so is
    the ``!`` of a locked hash, so the archive still shows each account's state. A crypt hash
    anywhere else on a line (a malformed or shifted line) is removed too.
    """
    out: list[bytes] = []
    for raw in data.split(b"\n"):
        fields = raw.split(b":")
        if len(fields) >= 2 and fields[1]:  # commented-out accounts too: their hash is real
            text = fields[1].decode("utf-8", "replace")
            state, scheme = password_state(text)
            if state in ("hash", "locked"):
                prefix = "!" * (len(text) - len(text.lstrip("!")))
                fields[1] = f"{prefix}<redacted={scheme}>".encode()
        out.append(_CRYPT.sub(b"<redacted>", b":".join(fields)))
    return b"\n".join(out)


def _content(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    for number, text in lines:
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            yield number, stripped
