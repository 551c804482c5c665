"""labwarden and Zircolite side by side, measured in one run, on the same events and rules.

Zircolite (``../shared/peers/zircolite``, its requirements in a virtual environment of its own:
``--venv``, default ``/work/peers-watch/zircolite``) reads JSON Lines into SQLite and runs Sigma
rules converted by pySigma; labwarden ingests the same records (CloudTrail ``Records`` files)
into its Parquet lake and runs the same rules with DuckDB. Both run as command-line processes;
the rules are the 57 SigmaHQ CloudTrail rules (labwarden's own pack is left out). Measured, per
data set: ingest plus detection (Zircolite's whole run; labwarden's ``ingest`` then ``detect``)
and detection alone (Zircolite on the SQLite database it saved; labwarden's ``detect``), as wall
and CPU seconds of the child processes, the median of ``--repeat`` runs; and which rules fired on
how many events in each tool.

Data sets: the invictus-ir CloudTrail corpus (2,900 real events) and ``--events`` synthetic
CloudTrail events (default 200,000) from :func:`benchmarks.watch.throughput.generate`.

Usage: ``python -m benchmarks.watch.zircolite [--events N] [--repeat K] [--venv DIR]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.watch.throughput import generate

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "benchmarks" / ".work" / "zircolite"
SHARED = ROOT.parent / "shared"
SIGMAHQ = SHARED / "corpora" / "sigma" / "cloud" / "aws" / "cloudtrail"
ZIRCOLITE = SHARED / "peers" / "zircolite"
LABWARDEN = [sys.executable, "-m", "labwarden"]


def _timed(command: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Run ``command``; its wall and CPU seconds (user + system of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{command[:4]} failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _jsonl(files: list[Path], target: Path) -> int:
    """The records of CloudTrail files as JSON Lines (what Zircolite reads)."""
    count = 0
    with target.open("w", encoding="utf-8") as out:
        for path in files:
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            for record in json.loads(data)["Records"]:
                out.write(json.dumps(record, separators=(",", ":")) + "\n")
                count += 1
    return count


def _zircolite(venv: Path, events: Path, out: Path, db: Path | None, dbonly: bool) -> list[str]:
    command = [str(venv / "bin" / "python"), str(ZIRCOLITE / "zircolite.py")]
    command += ["--db-input", "-e", str(db)] if dbonly and db else ["-j", "-e", str(events)]
    command += ["-r", str(SIGMAHQ), "-c", str(ZIRCOLITE / "config" / "config.yaml")]
    command += ["-o", str(out), "-l", str(out.with_suffix(".log")), "-q"]
    if db is not None and not dbonly:
        command += ["-d", str(db)]
    return command


def _labwarden_ingest(workspace: Path, files: list[Path]) -> list[str]:
    return [*LABWARDEN, "--workspace", str(workspace), "ingest", *map(str, files)]


def _labwarden_detect(workspace: Path) -> list[str]:
    return [
        *LABWARDEN,
        "--workspace",
        str(workspace),
        "detect",
        "--rules",
        str(SIGMAHQ),
        "--no-bundled",
        "--no-analytics",
        "-f",
        "json",
    ]


def measure(name: str, files: list[Path], venv: Path, repeat: int) -> dict[str, Any]:
    """Both tools on one data set, ``repeat`` times each; medians and detections."""
    folder = WORK / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    events = folder / "events.jsonl"
    count = _jsonl(files, events)
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in ("zi", "zd", "li", "ld")}
    for attempt in range(repeat):
        db = folder / f"z{attempt}.db"
        out = folder / "zircolite.json"
        runs["zi"].append(_timed(_zircolite(venv, events, out, None, False), cwd=folder))
        _timed(_zircolite(venv, events, folder / "z-save.json", db, False), cwd=folder)
        runs["zd"].append(_timed(_zircolite(venv, events, out, db, True), cwd=folder))
        workspace = folder / f"ws{attempt}"
        ingest = _timed(_labwarden_ingest(workspace, files))
        detect = _timed(_labwarden_detect(workspace))
        runs["li"].append((ingest[0] + detect[0], ingest[1] + detect[1]))
        runs["ld"].append(detect)
    medians = {
        k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
        for k, v in runs.items()
    }
    return {
        "data": name,
        "events": count,
        "zircolite_ingest_detect": medians["zi"],
        "zircolite_detect": medians["zd"],
        "labwarden_ingest_detect": medians["li"],
        "labwarden_detect": medians["ld"],
        "agreement": _agreement(folder / "zircolite.json", folder / "ws0"),
    }


def _agreement(zircolite_out: Path, workspace: Path) -> dict[str, tuple[int, int]]:
    """Rule title -> (events Zircolite matched, events labwarden's alerts hold)."""
    found: dict[str, list[int]] = {}
    if zircolite_out.exists():
        for item in json.loads(zircolite_out.read_text() or "[]"):
            found.setdefault(str(item.get("title")), [0, 0])[0] += int(item.get("count") or 0)
    listed = subprocess.run(
        [*LABWARDEN, "--workspace", str(workspace), "alerts", "--status", "all", "-f", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    for alert in json.loads(listed.stdout or "[]"):
        found.setdefault(str(alert["rule"]["title"]), [0, 0])[1] += int(alert["event_count"])
    return {title: (z, lw) for title, (z, lw) in sorted(found.items())}


def _row(result: dict[str, Any], tool: str, step: str, key: str, peer: str) -> str:
    wall, cpu = result[key]
    peer_wall, peer_cpu = result[peer]
    ratio = "1.00x" if key == peer else f"**{peer_wall / wall:.1f}x** ({peer_cpu / cpu:.1f}x CPU)"
    rate = result["events"] / wall if wall else 0.0
    return (
        f"| {result['data']} | {step} | {tool} | {wall:.2f} | {cpu:.2f} | {rate:,.0f} | {ratio} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--venv", type=Path, default=Path("/work/peers-watch/zircolite"))
    args = parser.parse_args()
    if not (args.venv / "bin" / "python").exists():
        sys.exit(
            f"no Zircolite environment at {args.venv}: python3 -m venv {args.venv} && "
            f"{args.venv}/bin/pip install -r {ZIRCOLITE}/requirements.txt"
        )
    os.environ.setdefault("LABWARDEN_WORKSPACE", str(WORK / "unused"))
    invictus = sorted((SHARED / "corpora" / "logs" / "cloudtrail-invictus").glob("*.json"))
    synthetic = generate(ROOT / "benchmarks" / ".work" / f"ct-{args.events}", args.events)
    results = [
        measure("invictus", invictus, args.venv, args.repeat),
        measure(f"synthetic {args.events:,}", synthetic, args.venv, args.repeat),
    ]
    print("| data | step | tool | wall s | CPU s | events/s | labwarden vs Zircolite |")
    print("|---|---|---|---|---|---|---|")
    for result in results:
        for tool, step, key, peer in (
            ("Zircolite", "ingest + detect", "zircolite_ingest_detect", "zircolite_ingest_detect"),
            ("labwarden", "ingest + detect", "labwarden_ingest_detect", "zircolite_ingest_detect"),
            ("Zircolite", "detect only", "zircolite_detect", "zircolite_detect"),
            ("labwarden", "detect only", "labwarden_detect", "zircolite_detect"),
        ):
            print(_row(result, tool, step, key, peer))
    for result in results:
        print(f"\n{result['data']}: events matched per rule (Zircolite, labwarden)")
        for title, (z, lw) in result["agreement"].items():
            print(f"- {title}: {z}, {lw}")


if __name__ == "__main__":
    main()
