"""Seal hashing benchmark: labwarden against model-signing, sha256sum and b3sum in one run.

Hashes 4 x 1 GiB files, one 4 GiB file and 10,000 small files (1-16 KiB) with every tool,
SHA-256 and BLAKE3, from a warm page cache, each tool in its own fresh process (wall time,
start-up included), best of ``--repeat`` runs. model-signing runs from its own venv under
``benchmarks/.work/``, created on first use (``pip install model-signing``). Results go to
``benchmarks/seal/RESULTS.md``.

Usage: ``.venv/bin/python -m benchmarks.seal.run [--repeat 2] [--big-count 4] [--small 10000]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.seal.data import GIB, WORK, big_files, small_files

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
PEER_VENV = WORK.parent / "venv-model-signing"

LABWARDEN_HASH = """
import sys
from pathlib import Path
from labwarden.seal.sign import SealOptions, build_manifest
shard = int(sys.argv[3]) if len(sys.argv) > 3 else None
m = build_manifest(Path(sys.argv[1]), SealOptions(sys.argv[2], shard_size=shard, tensors=False))
print(len(m.files))
"""

MODEL_SIGNING_HASH = """
import sys
import model_signing
config = model_signing.hashing.Config()
if len(sys.argv) > 3:
    config.use_shard_serialization(hashing_algorithm=sys.argv[2], shard_size=int(sys.argv[3]))
else:
    config.use_file_serialization(hashing_algorithm=sys.argv[2])
m = config.hash(sys.argv[1])
print(len(list(m.resource_descriptors())))
"""


@dataclass(slots=True)
class Row:
    """One measurement."""

    dataset: str
    algorithm: str
    tool: str
    seconds: float
    cpu: float
    size: int

    @property
    def rate(self) -> float:
        return self.size / self.seconds / GIB


def peer_python() -> str:
    """The model-signing venv's python, created on first use."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "model-signing", "pyOpenSSL"], check=True
        )
    return str(python)


def best(command: list[str], repeat: int, *, shell: bool = False) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system, all children) of ``repeat`` runs.

    CPU time barely moves when other work shares the machine; wall time does.
    """
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(
            " ".join(command) if shell else command,
            shell=shell,
            capture_output=True,
            text=True,
            check=False,
        )
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise RuntimeError(f"{command} failed: {done.stderr[-2000:]}")
    return min(walls), min(cpus)


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def warm(folder: Path) -> None:
    subprocess.run(
        f"find {folder} -type f -print0 | xargs -0 cat > /dev/null", shell=True, check=True
    )


def measure(folder: Path, label: str, repeat: int, peer: str) -> list[Row]:
    size = size_of(folder)
    warm(folder)
    files = f"find {folder} -type f -print0 | xargs -0"
    lab = [sys.executable, "-c", LABWARDEN_HASH, str(folder)]
    ms = [peer, "-c", MODEL_SIGNING_HASH, str(folder)]
    plan: list[tuple[str, str, list[str], bool]] = [
        ("sha256", "labwarden (files)", [*lab, "sha256"], False),
        ("sha256", "labwarden (shards 256 MiB)", [*lab, "sha256", str(256 * 2**20)], False),
        ("sha256", "model_signing (files)", [*ms, "sha256"], False),
        ("sha256", "model_signing (shards 1 GB)", [*ms, "sha256", str(10**9)], False),
        ("sha256", "sha256sum", [files, "sha256sum", ">/dev/null"], True),
        ("blake3", "labwarden", [*lab, "blake3"], False),
        ("blake3", "model_signing", [*ms, "blake3"], False),
        ("blake3", "b3sum", [files, "b3sum", ">/dev/null"], True),
    ]
    rows = []
    for algorithm, tool, command, shell in plan:
        seconds, cpu = best(command, repeat, shell=shell)
        rows.append(Row(label, algorithm, tool, seconds, cpu, size))
        print(f"{label:28} {algorithm:7} {tool:30} {seconds:8.2f} s {cpu:8.2f} cpu-s", flush=True)
    return rows


def report(rows: list[Row], repeat: int) -> str:
    lines = [
        "# Seal hashing benchmark",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}; shared with other work while measured. Warm page cache; "
        f"wall time of a fresh process per tool (start-up included), best of {repeat}. "
        "Ratio = peer time / labwarden time (above 1: labwarden is faster); labwarden's "
        "reference row is its default (whole-file digests). CPU = user + system seconds of "
        "the process and its children (best of the runs), which other work on the machine "
        "barely disturbs.",
        "",
        "Command: `.venv/bin/python -m benchmarks.seal.run`",
        "",
        "| data | algorithm | tool | wall s | GiB/s | labwarden ratio (wall) | CPU s "
        "| labwarden ratio (CPU) |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        ours = next(
            r
            for r in rows
            if r.dataset == row.dataset
            and r.algorithm == row.algorithm
            and r.tool in ("labwarden (files)", "labwarden")
        )
        ratio = row.seconds / ours.seconds
        cpu_ratio = row.cpu / ours.cpu
        lines.append(
            f"| {row.dataset} | {row.algorithm} | {row.tool} | {row.seconds:.2f} | "
            f"{row.rate:.2f} | {'-' if row is ours else f'{ratio:.2f}x'} | {row.cpu:.2f} | "
            f"{'-' if row is ours else f'{cpu_ratio:.2f}x'} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--big-count", type=int, default=4)
    parser.add_argument("--big-size", type=int, default=GIB)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument(
        "--single-gib", type=int, default=4, help="Also one file of this many GiB (0: skip)."
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    peer = peer_python()
    big = big_files(args.big_count, args.big_size)
    small = small_files(args.small)
    rows = measure(big, f"{args.big_count} x {args.big_size / GIB:g} GiB", args.repeat, peer)
    if args.single_gib:
        single = big_files(1, args.single_gib * GIB)
        rows += measure(single, f"1 x {args.single_gib} GiB", args.repeat, peer)
    rows += measure(small, f"{args.small:,} small files", args.repeat, peer)
    args.output.write_text(report(rows, args.repeat), encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
