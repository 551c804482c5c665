"""Secrets-scan throughput on real source text: labwarden, Kingfisher and detect-secrets.

The corpus is the Python source of the packages installed in the project venv (real code, not
generated), copied once to ``benchmarks/.work/speed-corpus``. labwarden is timed in-process by CPU
time (decoding included); Kingfisher (one job) runs on the same files and detect-secrets on an
8 MB slice of them (it is slow), both from their own venv, timed by the CPU time of their
processes, so the figures are per core and the load of a shared machine skews them less.

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


def _slice(files: list[Path], limit: int, name: str) -> tuple[Path, int]:
    """Copy the first ``limit`` bytes' worth of ``files`` into ``.work/<name>``."""
    sliced = WORK / name
    shutil.rmtree(sliced, ignore_errors=True)
    sliced.mkdir()
    size = 0
    for path in files:
        if size >= limit:
            break
        shutil.copyfile(path, sliced / path.name)
        size += path.stat().st_size
    return sliced, size


def _child_cpu(command: list[str], cwd: Path) -> tuple[float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        check=False,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    took = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return took, out.stdout


def detect_secrets_rate(files: list[Path]) -> tuple[float, int, int]:
    """detect-secrets on an 8 MB slice (it is slow): MB/s per core, bytes, findings."""
    sliced, size = _slice(files, PEER_SLICE, "speed-slice")
    took, out = _child_cpu([str(PEERS / "detect-secrets"), "scan", "--all-files", "."], sliced)
    hits = sum(len(v) for v in json.loads(out)["results"].values())
    return size / took / 1e6, size, hits


def kingfisher_rate(files: list[Path]) -> tuple[float, int, int]:
    """Kingfisher on the whole corpus with one job, no validation: MB/s per core, bytes, hits."""
    size = sum(p.stat().st_size for p in files)
    command = [
        str(PEERS / "kingfisher"), "scan", ".", "--no-validate", "--format", "jsonl",
        "--git-history", "none", "--jobs", "1", "--no-update-check",
    ]  # fmt: skip
    took, out = _child_cpu(command, CORPUS)
    hits = sum(1 for line in out.splitlines() if line.startswith('{"rule"'))
    return size / took / 1e6, size, hits


def main() -> None:
    files = corpus()
    print(f"load average: {os.getloadavg()[0]:.2f}")
    rate, size, hits = labwarden_rate(files)
    print(
        f"labwarden: {size / 1e6:.1f} MB of Python source, {rate:.1f} MB/s per core "
        f"({hits} findings)"
    )
    if (PEERS / "kingfisher").exists():
        peer, peer_size, peer_hits = kingfisher_rate(files)
        print(
            f"Kingfisher 2.14: {peer_size / 1e6:.1f} MB, {peer:.1f} MB/s per core "
            f"({peer_hits} findings)"
        )
    if (PEERS / "detect-secrets").exists():
        peer, peer_size, peer_hits = detect_secrets_rate(files)
        print(
            f"detect-secrets 1.5: {peer_size / 1e6:.1f} MB slice, {peer:.2f} MB/s per core "
            f"({peer_hits} findings)"
        )
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
