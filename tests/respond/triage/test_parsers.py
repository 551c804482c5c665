"""The text parsers: accounts, shadow (and its redaction), sudoers, crontabs, units, keys,
histories, /proc/net and /proc/<pid>/stat; each also fed arbitrary text."""

from __future__ import annotations

import socket
import struct
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from labwarden.respond.triage.parsers.accounts import (
    parse_group,
    parse_passwd,
    parse_shadow,
    password_state,
    redact_shadow,
)
from labwarden.respond.triage.parsers.cron import parse_crontab
from labwarden.respond.triage.parsers.history import parse_history
from labwarden.respond.triage.parsers.keys import fingerprint, parse_authorized_keys
from labwarden.respond.triage.parsers.procfs import parse_stat, parse_status, real_uid
from labwarden.respond.triage.parsers.procnet import (
    decode_address,
    parse_inet,
    parse_packet,
    parse_unix,
)
from labwarden.respond.triage.parsers.redact import redact_credentials
from labwarden.respond.triage.parsers.sudoers import parse_sudoers
from labwarden.respond.triage.parsers.units import commands, parse_unit

HASH = "$6$rounds=5000$saltsalt$Zq0fdRxO6Tz1dUe8Sq8W5a1sG3q0zNCVwKqK5c4pQ9M2mV7bYhT0nQ1rL8xZcA"


def numbered(text: str) -> list[tuple[int, str]]:
    return list(enumerate(text.splitlines(), 1))


lines = st.lists(st.text(max_size=200), max_size=30).map(lambda ls: list(enumerate(ls, 1)))


def test_passwd_and_group() -> None:
    text = (
        "root:x:0:0:root:/root:/bin/bash\n# comment\nbad line\n"
        "alice:x:1000:1000::/home/alice:/bin/zsh\n+::::::\n"
    )
    accounts, bad = parse_passwd(numbered(text))
    assert [(a.name, a.uid, a.line) for a in accounts] == [("root", 0, 1), ("alice", 1000, 4)]
    assert [n for n, _ in bad] == [3, 5]
    groups, bad = parse_group(numbered("sudo:x:27:alice,bob\nwheel:x:10:\noops\n"))
    assert [(g.name, g.members) for g in groups] == [("sudo", ("alice", "bob")), ("wheel", ())]
    assert bad == [(3, "not name:password:gid:members")]


def test_shadow_states() -> None:
    assert password_state("") == ("empty", None)
    assert password_state("*") == ("disabled", None)
    assert password_state("!!") == ("disabled", None)
    assert password_state(HASH) == ("hash", "sha512crypt")
    assert password_state("!" + HASH) == ("locked", "sha512crypt")
    assert password_state("$y$j9T$salt$hash") == ("hash", "yescrypt")
    assert password_state("abcdefghijklm") == ("hash", "descrypt")
    text = (
        f"root:{HASH}:19700:0:99999:7:::\nbob:!{HASH}:19701::::::\n"
        "nopw::19700::::::\ndaemon:*:1::::::\n"
    )
    entries, bad = parse_shadow(numbered(text))
    assert [(e.name, e.state, e.scheme, e.last_change_days) for e in entries] == [
        ("root", "hash", "sha512crypt", 19700),
        ("bob", "locked", "sha512crypt", 19701),
        ("nopw", "empty", None, 19700),
        ("daemon", "disabled", None, 1),
    ]
    assert bad == []


def test_redaction_removes_every_hash_and_keeps_the_state() -> None:
    text = f"root:{HASH}:19700:0:99999:7:::\nbob:!{HASH}:19701::::::\nnopw::1::::::\nd:*:1::::::\n"
    redacted = redact_shadow(text.encode()).decode()
    assert "saltsalt" not in redacted and "Zq0fd" not in redacted
    entries, _ = parse_shadow(numbered(redacted))
    assert [(e.state, e.scheme) for e in entries] == [
        ("hash", "sha512crypt"),
        ("locked", "sha512crypt"),
        ("empty", None),
        ("disabled", None),
    ]


@given(
    st.text(max_size=300),
    st.text(alphabet="abcdefghijklmnop$./0123456789", min_size=8),
    st.integers(1, 4),
)
def test_redaction_never_leaks_a_hash(name: str, secret: str, where: int) -> None:
    fields = [name.replace(":", "").replace("\n", ""), "", "1", "", ""]
    fields[where] = f"$6${secret}"  # where it belongs, or shifted by a malformed line
    redacted = redact_shadow(":".join(fields).encode()).decode("utf-8", "replace")
    assert f"$6${secret}" not in redacted


def test_credentials_redaction() -> None:
    conf = (
        b"[mega]\ntype = mega\nuser = a@b.c\npass = s3cr3t-obscured\n[s3]\n"
        b"secret_access_key = AKIAxyz\nendpoint = https://s3.example\n"
    )
    out = redact_credentials(conf).decode()
    assert "s3cr3t" not in out and "AKIAxyz" not in out
    assert (
        "type = mega" in out
        and "endpoint = https://s3.example" in out
        and "pass = <redacted>" in out
    )


def test_sudoers_grants_and_includes() -> None:
    text = (
        "Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n%sudo ALL=(ALL:ALL) ALL\n"
        "# alice ALL=(ALL) ALL\nCmnd_Alias X = /bin/ls\nbackup2 ALL=(ALL) \\\n  NOPASSWD: ALL\n"
        "#includedir /etc/sudoers.d\n@include /opt/other\n"
    )
    found = parse_sudoers(numbered(text))
    assert [(s.line, s.kind, s.principal) for s in found] == [
        (2, "grant", "root"),
        (3, "grant", "%sudo"),
        (6, "grant", "backup2"),
        (8, "include", "/etc/sudoers.d"),
        (9, "include", "/opt/other"),
    ]
    assert found[2].text == "backup2 ALL=(ALL) NOPASSWD: ALL"


def test_crontabs() -> None:
    system = (
        "SHELL=/bin/sh\n17 *\t* * *\troot\tcd / && run-parts /etc/cron.hourly\n"
        "@reboot root /opt/x\nnot a line\n*/5 * * * *\n"
    )
    found, bad = parse_crontab(numbered(system), system=True)
    assert [(c.line, c.schedule, c.user, c.command) for c in found] == [
        (2, "17 * * * *", "root", "cd / && run-parts /etc/cron.hourly"),
        (3, "@reboot", "root", "/opt/x"),
    ]
    assert [n for n, _ in bad] == [4, 5]
    user, _ = parse_crontab(numbered("0 3 * * mon python train.py\n"), system=False)
    assert (user[0].user, user[0].schedule, user[0].command) == (
        None,
        "0 3 * * mon",
        "python train.py",
    )


def test_units_with_drop_ins_and_resets() -> None:
    unit = (
        "[Unit]\nDescription=x\n[Service]\nExecStart=/usr/bin/a \\\n  --flag\n"
        "ExecStartPre=-/bin/true\n# ExecStart=/evil\n[Install]\nWantedBy=multi-user.target\n"
    )
    directives = parse_unit(numbered(unit))
    assert directives["Service.ExecStart"] == [("/usr/bin/a --flag", 4)]
    parse_unit(numbered("[Service]\nExecStart=\nExecStart=/opt/b\n"), into=directives)
    assert commands(directives) == [
        ("Service.ExecStart", "/opt/b", 3),
        ("Service.ExecStartPre", "/bin/true", 6),
    ]


def test_authorized_keys() -> None:
    blob = "AAAAC3NzaC1lZDI1NTE5AAAAIGVhbGljZWFsaWNlYWxpY2VhbGljZWFsaWNlYWxpY2Vh"
    text = (
        f"# keys\nssh-ed25519 {blob} alice@laptop\n"
        f'command="/bin/sh -i",no-pty ssh-rsa {blob}\ngarbage\n'
    )
    keys, bad = parse_authorized_keys(numbered(text))
    assert [(k.line, k.key_type, k.comment, k.options) for k in keys] == [
        (2, "ssh-ed25519", "alice@laptop", ""),
        (3, "ssh-rsa", "", 'command="/bin/sh -i",no-pty'),
    ]
    assert keys[0].fingerprint == fingerprint(blob) and keys[0].fingerprint.startswith("SHA256:")
    assert bad == [(4, "no key type and key on the line")]


def test_histories_bash_zsh_fish() -> None:
    bash = list(parse_history(numbered("ls\n#1700000000\nscp a b:c\n\nid\n")))
    assert [(c.line, c.command, c.time) for c in bash] == [
        (1, "ls", None),
        (3, "scp a b:c", datetime.fromtimestamp(1700000000, UTC)),
        (5, "id", None),
    ]
    zsh = list(parse_history(numbered(": 1700000001:0;rclone copy x r:y\n")))
    assert zsh[0].command == "rclone copy x r:y" and zsh[0].time is not None
    fish = list(parse_history(numbered("- cmd: ls\n  when: 1700000002\n- cmd: id\n"), fish=True))
    assert [(c.command, c.time is not None) for c in fish] == [("ls", True), ("id", False)]


def test_proc_net_tables() -> None:
    tcp = (
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid"
        "  timeout inode\n"
        "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
        "        0 1234 1 0\n"
        "   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000"
        "        0 5678 1 0\n"
    )
    found = list(parse_inet(numbered(tcp), udp=False))
    assert [(n.local, n.local_port, n.state, n.uid, n.inode) for n in found] == [
        ("0.0.0.0", 22, "LISTEN", 0, 1234),
        ("127.0.0.1", 8080, "ESTABLISHED", 1000, 5678),
    ]
    assert found[1].remote_port == 50000
    v6 = socket.inet_pton(socket.AF_INET6, "2001:db8::1")
    words = struct.unpack(">4I", v6)
    hexed = "".join(f"{struct.unpack('<I', struct.pack('>I', w))[0]:08X}" for w in words)
    assert decode_address(f"{hexed}:0050", "little") == ("2001:db8::1", 80)
    assert decode_address("0000000000000000FFFF00000100007F:0050", "little") == ("127.0.0.1", 80)
    unix = (
        "Num       RefCount Protocol Flags    Type St Inode Path\n"
        "0000000000000000: 00000002 00000000 00010000 0001 01 22222 /run/x.sock\n"
    )
    assert [(u.inode, u.listening, u.path) for u in parse_unix(numbered(unix))] == [
        (22222, True, "/run/x.sock")
    ]
    packet = (
        "sk       RefCnt Type Proto  Iface R Rmem   User   Inode\nffff 3 3 0003 2 1 0 0 33333\n"
    )
    assert [(p.interface_index, p.inode) for p in parse_packet(numbered(packet))] == [(2, 33333)]


def test_proc_stat_with_a_hostile_name() -> None:
    fields = " ".join(str(n) for n in range(3, 53))
    stat = parse_stat(f"4242 (evil) (x) y) S 1 {fields}")
    assert stat is not None and stat.comm == "evil) (x) y" and stat.state == "S" and stat.ppid == 1
    assert parse_stat("garbage") is None
    status = parse_status("Name:\tbash\nUid:\t1000\t1000\t1000\t1000\nTgid:\t7\n")
    assert real_uid(status) == 1000 and status["Tgid"] == "7"


@given(lines)
def test_text_parsers_take_anything(numbered_lines: list[tuple[int, str]]) -> None:
    parse_passwd(numbered_lines)
    parse_group(numbered_lines)
    parse_shadow(numbered_lines)
    parse_sudoers(numbered_lines)
    parse_crontab(numbered_lines, system=True)
    parse_crontab(numbered_lines, system=False)
    commands(parse_unit(numbered_lines))
    parse_authorized_keys(numbered_lines)
    list(parse_history(numbered_lines))
    list(parse_history(numbered_lines, fish=True))
    list(parse_inet(numbered_lines, udp=True))
    list(parse_unix(numbered_lines))
    list(parse_packet(numbered_lines))
    for _, text in numbered_lines:
        parse_stat(text)


@given(st.binary(max_size=2000))
def test_redactions_take_any_bytes(data: bytes) -> None:
    redact_shadow(data)
    redact_credentials(data)
