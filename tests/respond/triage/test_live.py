"""A live triage of the machine the tests run on: as root, with planted processes that must be
seen (a listener, a reverse-shell command line, a deleted program in /tmp), and as ``nobody``,
which collects what it may and says what it could not."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from labwarden.core.finding import Finding
from labwarden.respond.triage import TriageOptions, run_triage

pytestmark = pytest.mark.slow
ROOT = os.geteuid() == 0
NOBODY = 65534
SINCE = datetime.now(UTC) - timedelta(days=1)


def _spawn(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


@pytest.fixture
def planted(tmp_path: Path) -> Iterator[dict[str, int]]:
    listener = _spawn(
        sys.executable,
        "-c",
        "import socket,time\ns=socket.socket()\ns.bind(('0.0.0.0',0))\ns.listen()\n"
        "print(s.getsockname()[1],flush=True)\ntime.sleep(600)",
    )
    assert listener.stdout is not None
    port = int(listener.stdout.readline())
    shell = _spawn("/bin/sh", "-c", "sleep 600; : /dev/tcp/203.0.113.50/4444")
    copy = tmp_path / "kworkerd"
    shutil.copy("/bin/sleep", copy)
    hidden = _spawn(str(copy), "600")
    time.sleep(0.5)
    copy.unlink()
    try:
        yield {"listener": listener.pid, "port": port, "shell": shell.pid, "deleted": hidden.pid}
    finally:
        for process in (listener, shell, hidden):
            process.kill()
            process.wait()


@pytest.mark.skipif(not ROOT, reason="the privileged run needs root")
def test_live_as_root(tmp_path: Path, planted: dict[str, int]) -> None:
    result = run_triage(TriageOptions(output=tmp_path / "live.tar.gz", since=SINCE))
    errors = [
        n
        for n in result.log.notes
        if "collection stopped" in n.reason or "could not be read" in n.reason
    ]
    assert errors == []
    processes = {p.pid: p for p in result.collected.processes}
    me = processes[os.getpid()]
    assert me.user == "root" and me.start is not None and me.ppid == os.getppid()
    assert Path(me.cmdline[0]).name.startswith("python")  # pytest, or an xdist worker
    assert me.exe == str(Path(sys.executable).resolve())
    listening = [s for s in result.collected.sockets if s.local_port == planted["port"]]
    assert listening and planted["listener"] in listening[0].pids
    by_rule: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_rule.setdefault(f.rule, []).append(f)
    shells = [
        f
        for f in by_rule["triage.processes.reverse-shell"]
        if f.evidence["pid"] == planted["shell"]
    ]
    assert shells and shells[0].severity.value == "critical"
    deleted = by_rule["triage.processes.deleted-executable"]
    assert any(planted["deleted"] in f.evidence["pids"] for f in deleted)
    listeners = by_rule["triage.network.listener"]
    assert any(f.evidence["address"].endswith(f":{planted['port']}") for f in listeners)
    assert result.log.host["boot_id"] and result.log.collector["privileged"] is True
    with tarfile.open(result.archive.path) as tar:
        names = set(tar.getnames())
    assert "live/evidence/artifacts/live/processes.jsonl" in names
    assert "live/evidence/artifacts/live/net/tcp" in names


_SCRIPT = """
import json, sys
from pathlib import Path
from datetime import datetime, timedelta, UTC
from labwarden.respond.triage import TriageOptions, run_triage
out = Path(sys.argv[1])
result = run_triage(TriageOptions(output=out, since=datetime.now(UTC) - timedelta(days=1)))
print(json.dumps({
    "uid": __import__("os").geteuid(),
    "notes": [[n.artifact, n.kind, n.where, n.reason] for n in result.log.notes],
    "processes": len(result.collected.processes),
    "accounts": len(result.collected.accounts),
    "shadow": len(result.collected.shadow),
    "archive": str(result.archive.path),
}))
"""


def _as_nobody() -> None:
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def _interpreter() -> tuple[str, dict[str, str]]:
    """An interpreter the unprivileged user may run: this one, or the system's with this
    environment's packages on its path (a pyenv interpreter may live under /root)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    try:
        probe = subprocess.run(
            [sys.executable, "-c", "import labwarden"],
            preexec_fn=_as_nobody,
            capture_output=True,
            check=False,
            env=env,
        )
        if probe.returncode == 0:
            return sys.executable, env
    except OSError:
        pass
    system = f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}"
    if not Path(system).exists():
        pytest.skip(f"no interpreter that uid {NOBODY} may run")
    return system, env


def test_live_as_an_unprivileged_user(request: pytest.FixtureRequest) -> None:
    if not ROOT:
        interpreter, env, drop = sys.executable, dict(os.environ), None
    else:
        interpreter, env = _interpreter()
        drop = _as_nobody
    folder = Path(tempfile.mkdtemp(prefix="triage-nobody-", dir="/tmp"))
    folder.chmod(0o777)
    request.addfinalizer(lambda: shutil.rmtree(folder, ignore_errors=True))
    done = subprocess.run(
        [interpreter, "-c", _SCRIPT, str(folder / "nobody.tar.gz")],
        preexec_fn=drop,
        capture_output=True,
        text=True,
        env=env,
        cwd=str(folder),
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    assert report["uid"] != 0 and report["processes"] > 0 and report["accounts"] > 0
    notes = report["notes"]
    assert not [n for n in notes if "collection stopped" in n[3] or "could not be read" in n[3]]
    said = {(n[0], n[3]) for n in notes}
    if ROOT:
        assert ("shadow", "permission denied") in said
        assert any(a == "processes" and "other users" in r for a, r in said)
        assert any(a == "filesystem" and "entries not walked" in r for a, r in said)
    owner = NOBODY if ROOT else os.geteuid()
    assert Path(report["archive"]).stat().st_uid == owner
