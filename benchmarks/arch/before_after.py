"""Before/after the architecture change (#12): the same workloads on two source trees, interleaved.

Run: ``.venv/bin/python -m benchmarks.arch.before_after --before /path/to/old/src``
(``--after`` defaults to this checkout's ``src``). Every measurement is its own process with
``PYTHONPATH`` pointing at one tree; the trees alternate within each repeat (and which goes first
alternates between repeats), so both see the same neighbours on a shared machine. Figures are
medians of ``--repeat`` runs. Workloads:

* inventory: ``labwarden scan`` of a generated tree of small files (first scan, rescan, first
  scan with every check), and of a few large files (BLAKE3);
* watch: ingest of generated CloudTrail ``.json.gz`` files into a fresh lake, and detection with
  the SigmaHQ CloudTrail rules and the bundled pack over it;
* modelfile: ``labwarden inspect models`` over the shared model corpus.

Results go to ``benchmarks/arch/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.inventory.make_tree import make_tree
from benchmarks.watch.throughput import CORPUS, generate

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "benchmarks" / ".work" / "arch"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _load() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " / ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3])


def _timed(command: list[str], src: Path) -> dict[str, float]:
    """Wall seconds and peak RSS (MiB) of ``command`` run against the labwarden in ``src``."""
    env = {**os.environ, "PYTHONPATH": f"{src}:{ROOT}"}
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *command],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{command} failed: {done.stderr[-2000:]}")
    result: dict[str, float] = {"seconds": seconds}
    result["maxrss_mib"] = int(done.stderr.strip().splitlines()[-1]) / 1024
    last = done.stdout.strip().splitlines()[-1:] if done.stdout.strip() else []
    if last and last[0].startswith("{"):
        result.update(json.loads(last[0]))
    return result


def _labwarden(*args: str) -> list[str]:
    return [sys.executable, "-m", "labwarden", *args]


def _phase(*args: str) -> list[str]:
    return [sys.executable, "-m", "benchmarks.arch.before_after", "--phase", *args]


def phase_ingest(folder: Path, lake: Path) -> dict[str, float]:
    """labwarden's ingest into a fresh lake (the API both trees share)."""
    from benchmarks.watch.throughput import _resolver
    from labwarden.store.lake import Lake
    from labwarden.watch.ingest import ingest

    shutil.rmtree(lake, ignore_errors=True)
    started = time.perf_counter()
    result = ingest([folder], Lake(lake), _resolver())
    assert not result.issues, result.issues[:3]
    return {"inner_seconds": time.perf_counter() - started, "events": result.events}


def phase_detect(lake: Path) -> dict[str, float]:
    """The SigmaHQ CloudTrail rules and the bundled pack over the lake."""
    from labwarden.engines.duckdb import connect, create_events_view
    from labwarden.watch.detect.run import run_rules
    from labwarden.watch.detect.sigma.rules import bundled_rules_dir, load

    started = time.perf_counter()
    rules = load([CORPUS / "sigma" / "cloud" / "aws" / "cloudtrail", bundled_rules_dir()])
    con: Any = connect()
    create_events_view(con, lake)
    result = run_rules(con, rules.rules)
    assert not result.problems, result.problems[:3]
    return {
        "inner_seconds": time.perf_counter() - started,
        "detections": len(result.detections),
        "rules": len(rules.rules),
    }


Workload = tuple[str, Callable[[Path, Path], list[str]], Callable[[Path], None] | None]
"""A name, the command for a tree (given its src and a scratch folder), and a reset."""


def _workloads(args: argparse.Namespace) -> list[Workload]:
    tree = WORK / f"tree{args.files}"
    if not tree.exists():
        make_tree(tree, args.files)
    big = WORK / "big"
    big.mkdir(parents=True, exist_ok=True)
    for i in range(args.big_count):
        path = big / f"shard-{i}.safetensors"
        if not path.exists() or path.stat().st_size != int(args.big_gib * 1024) // 16 * (16 << 20):
            with path.open("wb") as handle:
                chunk = os.urandom(16 << 20)
                for _ in range(int(args.big_gib * 1024) // 16):
                    handle.write(chunk)
    logs = WORK / f"cloudtrail-{args.events}"
    generate(logs, args.events, 500)

    def fresh(scratch: Path) -> None:
        shutil.rmtree(scratch / "ws", ignore_errors=True)

    def scan(root: Path, *extra: str) -> Callable[[Path, Path], list[str]]:
        return lambda _src, scratch: _labwarden(
            "-w", str(scratch / "ws"), "scan", str(root), "--no-progress", *extra
        )

    return [
        (f"scan {args.files:,} small files (first)", scan(tree, "--no-checks"), fresh),
        (f"rescan {args.files:,} unchanged files", scan(tree, "--no-checks"), None),
        (f"scan {args.files:,} small files, every check", scan(tree, "--checks"), fresh),
        (
            f"scan {args.big_count} x {args.big_gib:g} GiB (BLAKE3)",
            scan(big, "--no-checks"),
            fresh,
        ),
        (
            f"ingest {args.events:,} CloudTrail events (files of 500)",
            lambda _src, scratch: _phase("ingest", str(logs), str(scratch / "lake")),
            None,
        ),
        (
            "detect over that lake (SigmaHQ CloudTrail + pack)",
            lambda _src, scratch: _phase("detect", str(scratch / "lake")),
            None,
        ),
        (
            "inspect models (shared model corpus)",
            lambda _src, _scratch: _labwarden(
                "inspect",
                "models",
                str(CORPUS / "models"),
                "--format",
                "json",
                "--fail-on",
                "never",
            ),
            None,
        ),
    ]


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def main() -> None:
    """Measure every workload on both trees and write RESULTS.md."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path)
    parser.add_argument("--after", type=Path, default=ROOT / "src")
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--big-count", type=int, default=2)
    parser.add_argument("--big-gib", type=float, default=2.0)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--phase", nargs="+")
    args = parser.parse_args()
    if args.phase:
        kind, *rest = args.phase
        found = (
            phase_ingest(Path(rest[0]), Path(rest[1]))
            if kind == "ingest"
            else phase_detect(Path(rest[0]))
        )
        print(json.dumps(found))
        return
    if args.before is None:
        parser.error("--before SRC is required")
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    load_before = _load()
    started = datetime.now(UTC)
    rows = []
    for name, command, reset in _workloads(args):
        runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for repeat in range(args.repeat):
            order = ["before", "after"] if repeat % 2 == 0 else ["after", "before"]
            for label in order:
                scratch = WORK / label
                scratch.mkdir(parents=True, exist_ok=True)
                if reset is not None:
                    reset(scratch)
                runs[label].append(_timed(command(trees[label], scratch), trees[label]))
        before, after = _median(runs["before"]), _median(runs["after"])
        rows.append((name, before, after))
        print(name, f"{before['seconds']:.2f}", f"{after['seconds']:.2f}", file=sys.stderr)
    _write(args, rows, load_before, _load(), started)


def _write(
    args: argparse.Namespace,
    rows: list[tuple[str, dict[str, float], dict[str, float]]],
    load_before: str,
    load_after: str,
    started: datetime,
) -> None:
    lines = [
        "# Before and after the architecture change (#12)",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC on this machine ({os.cpu_count()} cores shared with "
        f"other engineers; load average {load_before} at the start, {load_after} at the end).",
        f"`before` is the tree the change started from, `after` this branch; each figure is the "
        f"median of {args.repeat} runs, the two trees interleaved within each repeat. Ratio = "
        "before / after wall time (above 1: faster after).",
        "",
        "| workload | before (s) | after (s) | ratio | peak RSS before / after |",
        "|---|---|---|---|---|",
    ]
    for name, before, after in rows:
        lines.append(
            f"| {name} | {before['seconds']:.2f} | {after['seconds']:.2f} | "
            f"{before['seconds'] / after['seconds']:.2f} | {before['maxrss_mib']:.0f} / "
            f"{after['maxrss_mib']:.0f} MiB |"
        )
    lines.append("")
    lines.append(
        "Wall times include interpreter start-up and imports (each run is its own process). "
        "Reproduce: `git worktree add /tmp/before <start commit>` (or a clone), then "
        "`.venv/bin/python -m benchmarks.arch.before_after --before /tmp/before/src`."
    )
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
