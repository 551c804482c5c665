"""The quick suite (`make bench`): a few minutes, labwarden and a peer side by side in one run.

Run: .venv/bin/python -m benchmarks.quick [--scale 1.0]
Every row is measured in this run, labwarden and its peer one after the other on the same input,
median of 3 (wall time); ratio = peer / labwarden (above 1: labwarden is faster). Inputs are
generated under benchmarks/.work/quick/ (deterministic). Peers are what the machine already has
(coreutils sha256sum, b3sum when installed, DuckDB from labwarden's own dependencies): nothing is
installed. The full suites (`python -m benchmarks` lists them) measure at scale against more peers.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / ".work" / "quick"
RUNS = 3


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the quick suite's table."""

    workload: str
    size: str
    labwarden_s: float
    peer: str
    peer_s: float | None

    @property
    def ratio(self) -> str:
        """Peer time over labwarden time, or ``-`` without a peer."""
        if self.peer_s is None:
            return "-"
        return f"{self.peer_s / self.labwarden_s:.2f}"


def median_seconds(run: Callable[[], object], runs: int = RUNS) -> float:
    """The median wall time of ``runs`` calls of ``run``."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _command(*args: str) -> Callable[[], object]:
    return lambda: subprocess.run(args, check=True, capture_output=True)


def big_file(mib: int) -> Path:
    """A file of ``mib`` MiB of pseudo-random bytes (written once)."""
    path = WORK / f"data-{mib}MiB.bin"
    if not path.exists() or path.stat().st_size != mib << 20:
        WORK.mkdir(parents=True, exist_ok=True)
        block = bytes(range(256)) * 4096  # 1 MiB
        with path.open("wb") as handle:
            for i in range(mib):
                handle.write(block[i % 256 :] + block[: i % 256])
    return path


def hashing_rows(mib: int) -> list[Row]:
    """SHA-256 and BLAKE3 of one file: labwarden's hashing module against coreutils and b3sum."""
    from labwarden.seal.hashing import digest_file

    path = big_file(mib)
    size = f"1 file, {mib} MiB"
    rows = [
        Row(
            "SHA-256 of one file",
            size,
            median_seconds(lambda: digest_file(str(path), "sha256")),
            "sha256sum",
            median_seconds(_command("sha256sum", str(path))),
        )
    ]
    b3sum = shutil.which("b3sum")
    rows.append(
        Row(
            "BLAKE3 of one file",
            size,
            median_seconds(lambda: digest_file(str(path), "blake3")),
            "b3sum" if b3sum else "(b3sum not installed)",
            median_seconds(_command(b3sum, str(path))) if b3sum else None,
        )
    )
    return rows


def scan_row(files: int) -> Row:
    """A first scan of many small files (walk, detect, hash, group, store, every check) against
    sha256sum reading and hashing the same files (the floor of any scan)."""
    from benchmarks.inventory.make_tree import make_tree
    from labwarden.checks.registry import all_checks
    from labwarden.core.workspace import Workspace
    from labwarden.inventory.policy import workspace_policy
    from labwarden.inventory.scan import run_scan
    from labwarden.inventory.sources.local import LocalSource
    from labwarden.store.catalog import Catalog

    tree = WORK / f"tree-{files}"
    if not (tree / ".complete").exists():
        shutil.rmtree(tree, ignore_errors=True)
        make_tree(tree, files)
        (tree / ".complete").write_text("")
    paths = sorted(str(p) for p in tree.rglob("*") if p.is_file() and p.name != ".complete")

    def scan() -> None:
        with tempfile.TemporaryDirectory(dir=WORK) as ws_dir:
            workspace = Workspace(Path(ws_dir) / ".labwarden").ensure()
            policy = workspace_policy(workspace.policy_path)
            with Catalog.open(workspace) as catalog:
                run_scan(catalog, LocalSource([str(tree)]), policy, checks=all_checks())

    def peer() -> None:
        subprocess.run(["xargs", "-0", "sha256sum"], input="\0".join(paths).encode(),
                       check=True, capture_output=True)  # fmt: skip

    return Row(
        "first scan with every check", f"{files:,} small files", median_seconds(scan),
        "sha256sum over the same files", median_seconds(peer),
    )  # fmt: skip


def ingest_row(events: int) -> Row:
    """CloudTrail ingest (parse, normalize, write the lake) against plain DuckDB reading the same
    JSON (the watch suite's baseline)."""
    from benchmarks.watch.throughput import generate, phase_duckdb, phase_ingest

    folder = WORK / f"cloudtrail-{events}"
    generate(folder, events)
    lake = WORK / "lake"
    return Row(
        "CloudTrail ingest",
        f"{events:,} events",
        median_seconds(lambda: phase_ingest(folder, lake)),
        "DuckDB read_json_objects",
        median_seconds(lambda: phase_duckdb(folder)),
    )


def findings_row(count: int) -> Row:
    """One page of open high-or-worse findings out of ``count`` stored (what `labwarden findings`
    and the web's findings page ask); no peer does this."""
    from labwarden.core.finding import Finding, Location
    from labwarden.core.values import AssetKind, Sensitivity, Severity
    from labwarden.core.workspace import Workspace
    from labwarden.store.assets import AssetChange
    from labwarden.store.catalog import Catalog
    from labwarden.store.findings import FindingQuery

    workspace = Workspace(WORK / f"findings-{count}" / ".labwarden")
    shutil.rmtree(workspace.root.parent, ignore_errors=True)
    severities = list(Severity)
    with Catalog.open(workspace.ensure()) as catalog:
        scan = catalog.scans.start(["/lab"], "blake3")
        for a in range(count // 100):
            asset = catalog.assets.save(
                AssetChange(f"/lab/a{a}", f"a{a}", AssetKind.CODE, "file",
                            Sensitivity.INTERNAL, [], [], [], 0, "d"),
                scan, "added", {},
            )  # fmt: skip
            found = [
                Finding("secrets", f"r{i % 7}", severities[i % 5], Location(f"/lab/a{a}", line=i),
                        f"m{i}")
                for i in range(100)
            ]  # fmt: skip
            catalog.findings.record(asset, ["secrets"], found, scan)
        query = FindingQuery(min_severity=Severity.HIGH)
        seconds = median_seconds(lambda: catalog.findings.query(query, limit=50, offset=0))
    return Row("one page of open findings (high+)", f"{count:,} stored", seconds, "no peer", None)


def main() -> None:
    """Run the quick suite and print its table (and write benchmarks/.work/quick/results.json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=1.0, help="Multiply every input size.")
    scale = parser.parse_args().scale
    WORK.mkdir(parents=True, exist_ok=True)
    rows = [
        *hashing_rows(max(8, int(256 * scale))),
        scan_row(max(100, int(2_000 * scale))),
        ingest_row(max(1_000, int(100_000 * scale))),
        findings_row(max(1_000, int(20_000 * scale))),
    ]
    print("| workload | size | labwarden | peer | peer time | ratio (peer / labwarden) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        peer_s = f"{r.peer_s:.3f} s" if r.peer_s is not None else "-"
        print(
            f"| {r.workload} | {r.size} | {r.labwarden_s:.3f} s | {r.peer} | {peer_s} | {r.ratio} |"
        )
    print(f"\nMeasured side by side in one run, median of {RUNS} (wall time).")
    print("Full suites: `.venv/bin/python -m benchmarks` lists them and how to run each.")
    (WORK / "results.json").write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")


if __name__ == "__main__":
    main()
