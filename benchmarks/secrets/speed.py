"""Secrets-scan throughput on real source text, labwarden and detect-secrets side by side.

The corpus is the Python source of the packages installed in the project venv (real code, not
generated), copied once to ``benchmarks/.work/speed-corpus``. labwarden is timed in-process by CPU
time (decoding included); detect-secrets runs on a slice of the same files from its own venv and
is timed by the CPU time of its processes, so the load of a shared machine does not skew either.

Run: ``.venv/bin/python -m benchmarks.secrets.speed``.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from labwarden.checks.secrets.scanner import scan_text

WORK = Path(__file__).resolve().parents[1] / ".work"
CORPUS = WORK / "speed-corpus"
PEERS = WORK / "peers-secrets" / "bin"
TARGET = 64 * 1024 * 1024
PEER_SLICE = 8 * 1024 * 1024


def corpus() -> list[Path]:
    """Copy real .py files from site-packages until ``TARGET`` bytes (once)."""
    if not CORPUS.exists():
        site = next((Path(sys.prefix) / "lib").glob("python3*/site-packages"))
        total = 0
        CORPUS.mkdir(parents=True)
        for n, path in enumerate(sorted(site.rglob("*.py"))):
            if total >= TARGET:
                break
            size = path.stat().st_size
            if size == 0:
                continue
            shutil.copyfile(path, CORPUS / f"{n:06d}_{path.name}")
            total += size
    return sorted(CORPUS.iterdir())


def labwarden_rate(files: list[Path]) -> tuple[float, int, int]:
    size = hits = 0
    start = time.process_time()
    for path in files:
        data = path.read_bytes()
        size += len(data)
        hits += len(scan_text(data.decode("utf-8", "replace"), "python"))
    return size / (time.process_time() - start) / 1e6, size, hits


def peer_rate(files: list[Path]) -> tuple[float, int, int, int]:
    sliced = WORK / "speed-slice"
    shutil.rmtree(sliced, ignore_errors=True)
    sliced.mkdir()
    size = 0
    for path in files:
        if size >= PEER_SLICE:
            break
        shutil.copyfile(path, sliced / path.name)
        size += path.stat().st_size
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [str(PEERS / "detect-secrets"), "scan", "--all-files", "."],
        cwd=sliced,
        capture_output=True,
        check=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    took = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    peer_hits = sum(len(v) for v in json.loads(out.stdout)["results"].values())
    ours = sum(
        len(scan_text(p.read_bytes().decode("utf-8", "replace"), "python"))
        for p in sliced.iterdir()
    )
    return size / took / 1e6, size, peer_hits, ours


def main() -> None:
    files = corpus()
    rate, size, hits = labwarden_rate(files)
    print(
        f"labwarden: {size / 1e6:.1f} MB of Python source, {rate:.1f} MB/s on one core "
        f"({hits} findings)"
    )
    if (PEERS / "detect-secrets").exists():
        peer, peer_size, peer_hits, ours = peer_rate(files)
        print(
            f"detect-secrets 1.5: {peer_size / 1e6:.1f} MB, {peer:.2f} MB/s "
            f"(CPU time of all its processes; labwarden is {rate / peer:.0f}x faster)"
        )
        print(
            f"findings on that slice of third-party code (test keys, examples, no live "
            f"secrets): labwarden {ours}, detect-secrets {peer_hits}"
        )


if __name__ == "__main__":
    main()
