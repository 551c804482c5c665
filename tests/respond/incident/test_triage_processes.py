"""Process records of a live triage archive become timeline lines: the archive's
``processes.jsonl`` (written on a live host) read back without the host."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from labwarden.respond.incident.sources import triage_lines
from labwarden.respond.incident.triage_feed import PROCESSES_FILE, read_feed
from labwarden.respond.incident.unpack import unpack
from labwarden.respond.triage import TriageOptions, run_triage
from tests.respond.incident.hosts import HOSTNAME, build_host

STARTED = datetime(2026, 3, 3, 2, 14, 7, tzinfo=UTC)


def _stat(pid: int, comm: str, ppid: int) -> str:
    # pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
    # stime cutime cstime priority nice threads itrealvalue starttime vsize rss ...
    rest = [str(ppid), "1", "1", "0", "-1", "0", "0", "0", "0", "0", "12", "3"]
    rest += ["0", "0", "20", "0", "1", "0", "99999", "1000", "256"]
    return f"{pid} ({comm}) S " + " ".join(rest)


def _record(pid: int, comm: str, cmdline: list[str], uid: int) -> dict[str, object]:
    return {
        "pid": pid,
        "stat": _stat(pid, comm, 1),
        "status": f"Name:\t{comm}\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\n",
        "exe": f"/tmp/.x/{comm} (deleted)",
        "cmdline": cmdline,
        "cwd": "/tmp/.x",
        "start": STARTED.isoformat(),
    }


def _add_processes(folder: Path, manifest: dict[str, object], lines: list[str]) -> str:
    body = "".join(line + "\n" for line in lines).encode()
    target = folder / PROCESSES_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)
    digest = hashlib.sha256(body).hexdigest()
    files = manifest.setdefault("files", [])
    assert isinstance(files, list)
    files.append(
        {
            "path": PROCESSES_FILE,
            "sha256": digest,
            "size": len(body),
            "artifact": "live.processes",
            "source": "/proc",
        }
    )
    return digest


def test_processes_of_a_live_archive_are_timeline_lines(tmp_path: Path) -> None:
    root = tmp_path / "host"
    build_host(root, datetime.now(UTC))
    archive = tmp_path / "host.tar.gz"
    run_triage(TriageOptions(root=root, output=archive), workspace=None, lake=False)
    unpacked = unpack(archive, tmp_path / "scratch")
    miner = _record(4242, "kworkerd", ["/tmp/.x/kworkerd", "--pool", "x.example:3333"], 0)
    digest = _add_processes(
        unpacked.folder,
        unpacked.manifest,
        [json.dumps(miner), "not json at all", json.dumps(["a", "list"])],
    )
    unpacked.digests[PROCESSES_FILE] = digest
    feed = read_feed(unpacked, str(archive))
    lines = [line.to_dict() for line in triage_lines(feed, set(), None, None)]
    processes = [r for r in lines if r["kind"] == "process"]
    assert len(processes) == 1
    (line,) = processes
    assert line["timestamp_desc"] == "Process Start"
    assert line["datetime"] == STARTED.isoformat(timespec="microseconds")
    assert line["command"] == "/tmp/.x/kworkerd --pool x.example:3333"
    assert line["principal"] == "root" and line["host"] == HOSTNAME
    assert line["archive"] == str(archive) and line["source"] == "triage"
    assert line["origin"] == "/proc:4242"
    assert [p for p in feed.problems if "not a process record" in p] == [
        f"{PROCESSES_FILE}:2: not a process record (Expecting value: line 1 column 1 (char 0))",
        f"{PROCESSES_FILE}:3: not a process record (not an object)",
    ]
