"""Throughput of ``labwarden inspect code`` on a large code tree, in MB/s per core, with Bandit
(the same classes of checks) on the same tree in the same run.

The tree defaults to the site-packages of labwarden's own development environment (tens of MB
of real Python: NumPy, SciPy, pandas, DuckDB's bindings, pytest, hypothesis...). MB are the
bytes of the files the code check reads (Python, notebooks, scripts, Dockerfiles, dependency
files); CPU seconds are the user+system time of the command and its children, so MB/s per core
does not depend on what else the machine runs. Writes ``speed.json`` beside this file.

Run: ``.venv/bin/python -m benchmarks.code.speed [TREE]``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any

from benchmarks.code.compare import BANDIT_TESTS, VENV, ensure_peers
from labwarden.checks.code.files import kind_of

HERE = Path(__file__).resolve().parent


def code_bytes(tree: Path) -> tuple[int, int]:
    """``(files, bytes)`` of what the code check reads under ``tree``."""
    files = size = 0
    for folder, _, names in os.walk(tree):
        for name in names:
            path = os.path.join(folder, name)
            if kind_of(path) and os.path.isfile(path) and not os.path.islink(path):
                files += 1
                size += os.path.getsize(path)
    return files, size


def timed(command: list[str]) -> dict[str, float]:
    """Wall and CPU seconds (user + system, children included) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": round(wall, 2), "cpu": round(cpu, 2)}


def main() -> None:
    default = Path(sysconfig.get_paths()["purelib"])
    tree = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    ensure_peers()
    files, size = code_bytes(tree)
    load_before = os.getloadavg()
    ours = timed(
        [
            sys.executable,
            "-m",
            "labwarden",
            "inspect",
            "code",
            str(tree),
            "--format",
            "json",
            "--fail-on",
            "never",
        ]
    )
    theirs = timed(
        [str(VENV / "bin" / "bandit"), "-r", str(tree), "-t", BANDIT_TESTS, "-f", "json", "-q"]
    )
    megabytes = size / 1e6
    result: dict[str, Any] = {
        "tree": str(tree),
        "files": files,
        "megabytes": round(megabytes, 1),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "labwarden": {**ours, "mb_per_cpu_second": round(megabytes / ours["cpu"], 2)},
        "bandit": {**theirs, "mb_per_cpu_second": round(megabytes / theirs["cpu"], 2)},
    }
    result["ratio"] = round(
        result["labwarden"]["mb_per_cpu_second"] / result["bandit"]["mb_per_cpu_second"], 2
    )
    (HERE / "speed.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
