"""Inventory benchmark: labwarden scan against b3sum and sha256sum, side by side in one run.

Measures, on this machine:
* a full scan of a tree of 100,000 small files against ``find | xargs b3sum`` (and SHA-256
  against ``sha256sum``);
* an incremental rescan of the unchanged tree (files per second);
* a few multi-GB files against ``b3sum`` / ``sha256sum``;
* peak memory (RSS) of scans of 10k, 50k and 100k files.

Usage: ``python -m benchmarks.inventory.run [--files N] [--big-gib G] [--big-count C]``.
Results go to ``benchmarks/inventory/RESULTS.md``. Needs Debian's ``b3sum``
(``apt-get install b3sum``).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.inventory.make_tree import make_tree

WORK = Path(__file__).resolve().parents[1] / ".work" / "inventory"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
LABWARDEN = [sys.executable, "-m", "labwarden"]


def timed(command: list[str] | str, *, shell: bool = False) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one command, via GNU time."""
    wrapper = ["/usr/bin/time", "-f", "%M"]
    args = [*wrapper, "sh", "-c", str(command)] if shell else [*wrapper, *command]
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{command} failed: {done.stderr[-2000:]}")
    return seconds, int(done.stderr.strip().splitlines()[-1])


def scan(
    root: Path, ws: Path, digest: str = "blake3", *, checks: bool = False
) -> tuple[float, int]:
    """Time ``labwarden scan``; the inventory alone unless ``checks``."""
    command = [*LABWARDEN, "-w", str(ws), "scan", str(root), "--no-progress", "--digest", digest]
    return timed([*command, "--checks" if checks else "--no-checks"])


def startup() -> float:
    """Seconds for ``labwarden --version``: interpreter start and imports."""
    return min(timed([*LABWARDEN, "--version"])[0] for _ in range(3))


def fresh(ws: Path) -> Path:
    shutil.rmtree(ws, ignore_errors=True)
    return ws


def warm(root: Path) -> None:
    command = f"find {root} -type f -print0 | xargs -0 cat > /dev/null"
    subprocess.run(command, shell=True, check=True)


def big_files(count: int, gib: float) -> Path:
    folder = WORK / "big"
    folder.mkdir(parents=True, exist_ok=True)
    size = int(gib * 1024**3)
    for i in range(count):
        path = folder / f"shard-{i}.safetensors"
        if not path.exists() or path.stat().st_size != size:
            with path.open("wb") as handle:
                chunk = os.urandom(16 * 1024**2)
                for _ in range(size // len(chunk)):
                    handle.write(chunk)
    return folder


def main() -> None:
    """Run every measurement and write RESULTS.md."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--big-count", type=int, default=3)
    parser.add_argument("--big-gib", type=float, default=4.0)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    tree = WORK / f"tree{args.files}"
    if not tree.exists():
        make_tree(tree, args.files)
    warm(tree)
    ws = WORK / "ws"
    rows: list[str] = []

    b3_small, _ = timed(f"find {tree} -type f -print0 | xargs -0 b3sum > /dev/null", shell=True)
    lw_small, lw_small_rss = scan(tree, fresh(ws))
    lw_rescan, lw_rescan_rss = min(scan(tree, ws) for _ in range(3))
    lw_checked, _ = scan(tree, fresh(ws), checks=True)
    sha_small, _ = timed(
        f"find {tree} -type f -print0 | xargs -0 sha256sum > /dev/null", shell=True
    )
    lw_sha_small, _ = scan(tree, fresh(ws), "sha256")
    n = args.files
    rows += [
        f"| {n:,} small files, BLAKE3 | b3sum {b3_small:.2f} s ({n / b3_small:,.0f} files/s) | "
        f"labwarden scan {lw_small:.2f} s ({n / lw_small:,.0f} files/s) | "
        f"{b3_small / lw_small:.2f} |",
        f"| {n:,} small files, SHA-256 | sha256sum {sha_small:.2f} s | "
        f"labwarden scan {lw_sha_small:.2f} s | {sha_small / lw_sha_small:.2f} |",
        f"| rescan of the unchanged tree | target 20,000 files/s | {lw_rescan:.2f} s "
        f"({n / lw_rescan:,.0f} files/s) | {n / lw_rescan / 20000:.2f} (of the target) |",
        f"| {n:,} small files, BLAKE3, with every check | b3sum {b3_small:.2f} s | "
        f"labwarden scan {lw_checked:.2f} s ({n / lw_checked:,.0f} files/s) | "
        f"{b3_small / lw_checked:.2f} |",
    ]

    big = big_files(args.big_count, args.big_gib)
    warm(big)
    total_gib = args.big_count * args.big_gib
    b3_big = min(timed(["sh", "-c", f"b3sum {big}/* > /dev/null"])[0] for _ in range(3))
    lw_big, lw_big_rss = min(scan(big, fresh(ws)) for _ in range(3))
    sha_big, _ = timed(["sh", "-c", f"sha256sum {big}/* > /dev/null"])
    lw_sha_big, _ = scan(big, fresh(ws), "sha256")
    rows += [
        f"| {args.big_count} x {args.big_gib:g} GiB, BLAKE3 | b3sum {b3_big:.2f} s "
        f"({total_gib / b3_big:.2f} GiB/s) | labwarden {lw_big:.2f} s "
        f"({total_gib / lw_big:.2f} GiB/s) | {b3_big / lw_big:.2f} |",
        f"| {args.big_count} x {args.big_gib:g} GiB, SHA-256 | sha256sum {sha_big:.2f} s "
        f"({total_gib / sha_big:.2f} GiB/s) | labwarden {lw_sha_big:.2f} s "
        f"({total_gib / lw_sha_big:.2f} GiB/s) | {sha_big / lw_sha_big:.2f} |",
    ]

    memory = []
    for count in (10_000, 50_000):
        sub = WORK / f"tree{count}"
        if not sub.exists():
            make_tree(sub, count)
        _, rss = scan(sub, fresh(ws))
        memory.append((count, rss))
    memory.append((n, lw_small_rss))
    memory_rows = [f"| {c:,} | {rss / 1024:.0f} MiB |" for c, rss in memory]
    start = startup()

    text = [
        "# Inventory benchmarks",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, warm page cache, "
        "all tools run one after another in the same run",
        "(`python -m benchmarks.inventory.run`).",
        "Ratio = peer time / labwarden time (above 1: labwarden is faster).",
        "labwarden's time is the whole `labwarden scan` process: walking, format detection,",
        "column sniffing, hashing, grouping, classification and the SQLite writes;",
        "the peers only hash. The rescan and the BLAKE3 big-file rows are the best of 3 runs.",
        "",
        "| workload | peer | labwarden | ratio |",
        "|---|---|---|---|",
        *rows,
        "",
        "Peak memory (RSS) of a full first scan:",
        "",
        "| files | peak RSS |",
        "|---|---|",
        *memory_rows,
        "",
        f"labwarden's fixed start-up (interpreter, imports; `labwarden --version`): {start:.2f} s,"
        " included in every labwarden time above.",
        "",
        f"Rescan peak RSS at {n:,} files: {lw_rescan_rss / 1024:.0f} MiB; "
        "big-file scan peak RSS: "
        f"{lw_big_rss / 1024:.0f} MiB (files are hashed through mmap: the mapped page-cache pages",
        "count in RSS but are shared, not allocated).",
        "",
    ]
    RESULTS.write_text("\n".join(text), encoding="utf-8")
    print("\n".join(text))


if __name__ == "__main__":
    main()
