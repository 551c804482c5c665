"""Leak attribution, labwarden vs Agrawal-Kiernan, on adult.csv and a 1M-row table; trace time.

Usage: .venv/bin/python -m benchmarks.trace.run [--trials N] [--big-trials N] [--skip-big]
       [--skip-catalog]

Every trial: one recipient's copy (or two mixed, or the unmarked original) is sampled and
transformed the way leakers do, then both schemes name a recipient or say "unknown" at the same
false-match bound (1e-6 after Bonferroni over the recipients). A trial is *right* when exactly
the leaker(s) are named, *wrong* when anyone else is named, *unknown* otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from benchmarks.trace import ak
from labwarden.privacy.io import as_text, read_table, write_table
from labwarden.trace.fingerprint.attribute import attribute, compare, evidence
from labwarden.trace.fingerprint.canary_rows import canary_rows, positions
from labwarden.trace.fingerprint.frame import from_arrow
from labwarden.trace.fingerprint.marks import plan, spec_of
from labwarden.trace.fingerprint.share import marked_table

HERE = Path(__file__).resolve().parent
ADULT = HERE.parents[1].parent / "shared" / "corpora" / "privacy" / "arx" / "adult.csv"
ALPHA = 1e-6
RATE, BOUND, CANARIES = 0.05, 0.05, 3

Op = Callable[[pa.Table, np.random.Generator], pa.Table]


def sample(fraction: float) -> Op:
    def op(table: pa.Table, rng: np.random.Generator) -> pa.Table:
        count = max(1, round(fraction * table.num_rows))
        return table.take(pa.array(rng.choice(table.num_rows, count, replace=False)))

    return op


def drop(count: int, keep: tuple[str, ...] = ()) -> Op:
    def op(table: pa.Table, rng: np.random.Generator) -> pa.Table:
        names = [n for n in table.column_names if n not in keep]
        gone = list(rng.choice(names, count, replace=False))
        return table.drop_columns(gone)

    return op


def rounded(column: str, step: float) -> Op:
    def op(table: pa.Table, rng: np.random.Generator) -> pa.Table:
        values = [
            v if not v else f"{round(float(v) / step) * step:g}"
            for v in table.column(column).to_pylist()
        ]
        return table.set_column(table.column_names.index(column), column, pa.array(values))

    return op


def ranges(column: str, width: int) -> Op:
    def op(table: pa.Table, rng: np.random.Generator) -> pa.Table:
        def label(v: str) -> str:
            low = int(float(v)) // width * width
            return f"{low}-{low + width - 1}"

        values = [label(v) if v else v for v in table.column(column).to_pylist()]
        return table.set_column(table.column_names.index(column), column, pa.array(values))

    return op


def parquet(table: pa.Table, rng: np.random.Generator) -> pa.Table:
    with tempfile.TemporaryDirectory() as tmp:
        typed = []
        for name in table.column_names:
            try:
                typed.append(
                    pa.array([float(v) if v else None for v in table.column(name).to_pylist()])
                )
            except ValueError:
                typed.append(table.column(name))
        path = Path(tmp) / "leak.parquet"
        write_table(pa.table(typed, names=table.column_names), path)
        return read_table(path)


def shuffled(table: pa.Table, rng: np.random.Generator) -> pa.Table:
    names = list(table.column_names)
    rng.shuffle(names)
    return table.select(names)


@dataclass
class Condition:
    name: str
    ops: list[Op]
    leakers: int = 1  # 0: the unmarked original; 2: two copies mixed


@dataclass
class Tally:
    right: int = 0
    wrong: int = 0
    unknown: int = 0
    seconds: list[float] = field(default_factory=list)

    def add(self, named: set[str], truth: set[str]) -> None:
        if named - truth:
            self.wrong += 1
        elif named == truth and truth:
            self.right += 1
        else:
            self.unknown += 1

    def cell(self, trials: int) -> str:
        return f"{self.right}/{trials} ({self.right / trials:.0%}), {self.wrong} wrong"


class Setup:
    """One original, its recipients' keys and both schemes' copies (built on demand)."""

    def __init__(self, table: pa.Table, recipients: int, pk: list[str], numeric: dict[str, int]):
        self.table = table
        self.frame = from_arrow(table)
        self.spec = spec_of(self.frame, BOUND)
        self.names = [f"r{i:02d}" for i in range(recipients)]
        self.keys = {n: hashlib.sha256(f"lw|{n}".encode()).digest() for n in self.names}
        self.ak_keys = {n: hashlib.sha256(f"ak|{n}".encode()).digest() for n in self.names}
        self.pk, self.numeric = pk, numeric
        self.changed: dict[str, list[int]] = {"labwarden": [], "ak": []}

    def ours(self, name: str) -> pa.Table:
        key = self.keys[name]
        marks = plan(self.frame, self.spec, key, RATE)
        self.changed["labwarden"].append(len(marks))
        extra = canary_rows(self.frame, key, CANARIES)
        return marked_table(self.frame, marks, extra, positions(key, self.frame.rows, len(extra)))

    def theirs(self, name: str) -> pa.Table:
        copy, changed = ak.embed(self.table, self.ak_keys[name], self.pk, self.numeric)
        self.changed["ak"].append(changed)
        return copy

    def name_ours(self, leaked: pa.Table) -> set[str]:
        comparison = compare(from_arrow(leaked), self.frame)
        if comparison is None:
            return set()
        found = [evidence(comparison, n, self.keys[n], RATE, BOUND, CANARIES) for n in self.names]
        return {e.recipient for e in attribute(found, ALPHA).named}

    def name_theirs(self, leaked: pa.Table) -> set[str]:
        scores = ak.detect(leaked, self.ak_keys, self.pk, self.numeric)
        return {n for n, p in scores.items() if p <= ALPHA}


def _leak(copies: list[pa.Table], ops: list[Op], rng: np.random.Generator) -> pa.Table:
    parts = []
    for copy in copies:
        part = copy
        for op in ops:
            part = op(part, rng)
        parts.append(part)
    if len(parts) > 1:
        parts = [p.select(parts[0].column_names) for p in parts]
    return shuffled(pa.concat_tables(parts), rng)


def run_conditions(
    setup: Setup, conditions: list[Condition], trials: int, seed: int
) -> list[tuple[Condition, Tally, Tally]]:
    rng = np.random.default_rng(seed)
    out = []
    for condition in conditions:
        mine, base = Tally(), Tally()
        for _ in range(trials):
            truth = set(rng.choice(setup.names, condition.leakers, replace=False).tolist())
            ours = [setup.ours(n) for n in sorted(truth)] or [setup.table]
            theirs = [setup.theirs(n) for n in sorted(truth)] or [setup.table]
            seed_ops = int(rng.integers(1 << 30))
            start = time.perf_counter()
            mine.add(
                setup.name_ours(_leak(ours, condition.ops, np.random.default_rng(seed_ops))), truth
            )
            mine.seconds.append(time.perf_counter() - start)
            start = time.perf_counter()
            base.add(
                setup.name_theirs(_leak(theirs, condition.ops, np.random.default_rng(seed_ops))),
                truth,
            )
            base.seconds.append(time.perf_counter() - start)
        print(
            f"  {condition.name}: labwarden {mine.cell(trials)}, AK {base.cell(trials)}",
            file=sys.stderr,
        )
        out.append((condition, mine, base))
    return out


def adult_conditions() -> list[Condition]:
    return [
        Condition("sample 1%", [sample(0.01)]),
        Condition("sample 2%", [sample(0.02)]),
        Condition("sample 5%", [sample(0.05)]),
        Condition("sample 10%", [sample(0.10)]),
        Condition("sample 50%", [sample(0.5)]),
        Condition("whole copy", [sample(1.0)]),
        Condition("10%, 2 columns dropped", [sample(0.1), drop(2)]),
        Condition("10%, 4 columns dropped", [sample(0.1), drop(4)]),
        Condition("10%, age rounded to 5", [sample(0.1), rounded("age", 5)]),
        Condition("10%, age rounded to 10", [sample(0.1), rounded("age", 10)]),
        Condition("10%, age as decades (30-39)", [sample(0.1), ranges("age", 10)]),
        Condition("5%, as Parquet", [sample(0.05), parquet]),
        Condition("2 copies mixed, 10% of each", [sample(0.1)], leakers=2),
        Condition("unmarked original, 10%", [sample(0.1)], leakers=0),
    ]


def big_table(rows: int, seed: int = 5) -> pa.Table:
    rng = np.random.default_rng(seed)
    codes = np.array([f"C{n:02d}" for n in range(60)])
    weights = np.linspace(3, 0.1, 60)
    return pa.table(
        {
            "subject_id": pa.array(np.char.add("S", rng.permutation(10 * rows)[:rows].astype(str))),
            "site": pa.array(rng.choice(["BER", "LYO", "BOS", "TOR", "OSA", "SYD", "SAO"], rows)),
            "sex": pa.array(rng.choice(["F", "M"], rows)),
            "age": pa.array(rng.integers(18, 90, rows).astype(str)),
            "diagnosis": pa.array(rng.choice(codes, rows, p=weights / weights.sum())),
            "weight": pa.array(np.char.mod("%.1f", rng.normal(75, 12, rows))),
            "visits": pa.array(rng.integers(1, 40, rows).astype(str)),
        }
    )


def big_conditions() -> list[Condition]:
    return [
        Condition("sample 0.1% (1,000 rows)", [sample(0.001)]),
        Condition("sample 1%", [sample(0.01)]),
        Condition(
            "1%, id and 2 more columns dropped",
            [sample(0.01), drop(2, ("subject_id",)), lambda t, r: t.drop_columns(["subject_id"])],
        ),
        Condition(
            "1%, weight and age rounded", [sample(0.01), rounded("weight", 1), rounded("age", 5)]
        ),
        Condition("2 copies mixed, 0.5% of each", [sample(0.005)], leakers=2),
        Condition("unmarked original, 1%", [sample(0.01)], leakers=0),
    ]


def catalog_time(tables: int, rows: int) -> dict[str, object]:
    """Time to trace a 10% sample of one shared table against a catalog of ``tables`` tables."""
    rng = np.random.default_rng(11)
    pool = [
        "id",
        "site",
        "sex",
        "age",
        "dx",
        "weight",
        "visits",
        "arm",
        "dose",
        "score",
        "lab",
        "region",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = root / "lake"
        data.mkdir()
        for index in range(tables):
            names = sorted(rng.choice(pool, 5, replace=False).tolist())
            columns = {n: rng.integers(0, 500, rows).astype(str) for n in names}
            write_table(pa.table(columns), data / f"t{index:04d}.csv")
        ws = root / "ws"
        cli = [str(Path(sys.executable).parent / "labwarden"), "-w", str(ws)]
        start = time.perf_counter()
        subprocess.run([*cli, "scan", str(data)], check=False, capture_output=True)
        scan_seconds = time.perf_counter() - start
        target = data / f"t{tables // 2:04d}.csv"
        for name in ("a", "b", "c", "d", "e"):
            subprocess.run(
                [*cli, "share", str(target), "-r", name, "-o", str(root / f"{name}.csv")],
                check=True,
                capture_output=True,
            )
        leaked = as_text(read_table(root / "c.csv"))
        leaked = leaked.take(pa.array(rng.choice(leaked.num_rows, rows // 10, replace=False)))
        write_table(leaked, root / "leak.csv")
        times, verdict = [], ""
        for _ in range(3):
            start = time.perf_counter()
            done = subprocess.run(
                [*cli, "trace", str(root / "leak.csv"), "-f", "json", "--no-incident"],
                check=True,
                capture_output=True,
                text=True,
            )
            times.append(time.perf_counter() - start)
            verdict = done.stdout
        import json

        report = json.loads(verdict)
        return {
            "tables": tables,
            "rows": rows,
            "scan_seconds": scan_seconds,
            "trace_seconds": statistics.median(times),
            "verdict": report["verdict"],
            "recipients": report["recipients"],
            "candidates": len(report["candidates"]),
        }


def _table(results: list[tuple[Condition, Tally, Tally]], trials: int) -> list[str]:
    lines = [
        "| leak | trials | labwarden: right (rate), wrong | Agrawal-Kiernan: right (rate), wrong "
        "| labwarden s/trial | AK s/trial |",
        "|---|---|---|---|---|---|",
    ]
    for condition, mine, base in results:
        lines.append(
            f"| {condition.name} | {trials} | {mine.cell(trials)} | {base.cell(trials)} | "
            f"{statistics.median(mine.seconds):.2f} | {statistics.median(base.seconds):.2f} |"
        )
    total_mine = sum(m.right for _, m, _ in results)
    total_base = sum(b.right for _, _, b in results)
    wrong_mine = sum(m.wrong for _, m, _ in results)
    wrong_base = sum(b.wrong for _, _, b in results)
    count = trials * len(results)
    lines.append(
        f"| **all** | {count} | {total_mine}/{count} ({total_mine / count:.0%}), "
        f"{wrong_mine} wrong "
        f"| {total_base}/{count} ({total_base / count:.0%}), {wrong_base} wrong | | |"
    )
    return lines


def _changes(setup: Setup) -> str:
    cells = setup.frame.rows * len(setup.frame.columns)
    mine = statistics.mean(setup.changed["labwarden"]) if setup.changed["labwarden"] else 0
    base = statistics.mean(setup.changed["ak"]) if setup.changed["ak"] else 0
    return (
        f"Cells changed per copy: labwarden {mine:,.0f} ({mine / cells:.2%} of cells, plus "
        f"{CANARIES} canary rows), Agrawal-Kiernan {base:,.0f} ({base / cells:.2%})."
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--recipients", type=int, default=20)
    parser.add_argument("--big-rows", type=int, default=1_000_000)
    parser.add_argument("--big-trials", type=int, default=5)
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--table-rows", type=int, default=1000)
    parser.add_argument("--skip-adult", action="store_true")
    parser.add_argument(
        "--only", default="", help="adult conditions to run: indices, comma-separated"
    )
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--skip-catalog", action="store_true")
    args = parser.parse_args()
    if not args.skip_adult:
        adult_section(args)
    if not args.skip_big:
        big_section(args)
    if not args.skip_catalog:
        catalog_section(args)


def adult_section(args: argparse.Namespace) -> None:
    adult = read_table(ADULT)
    print(f"adult.csv: {adult.num_rows} rows", file=sys.stderr)
    setup = Setup(adult, args.recipients, [n for n in adult.column_names if n != "age"], {"age": 0})
    conditions = adult_conditions()
    if args.only:
        conditions = [conditions[int(i)] for i in args.only.split(",")]
    results = run_conditions(setup, conditions, args.trials, seed=1)
    out = [f"### adult.csv ({adult.num_rows:,} rows, 9 columns), {args.recipients} recipients", ""]
    out += [*_table(results, args.trials), "", _changes(setup), ""]
    print("\n".join(out), flush=True)


def big_section(args: argparse.Namespace) -> None:
    big = big_table(args.big_rows)
    print(f"big table: {big.num_rows} rows", file=sys.stderr)
    setup = Setup(big, 10, ["subject_id"], {"age": 0, "weight": 1, "visits": 0})
    results = run_conditions(setup, big_conditions(), args.big_trials, seed=2)
    out = [f"### synthetic trial table ({big.num_rows:,} rows, 7 columns), 10 recipients", ""]
    out += [*_table(results, args.big_trials), "", _changes(setup), ""]
    print("\n".join(out), flush=True)


def catalog_section(args: argparse.Namespace) -> None:
    timing = catalog_time(args.tables, args.table_rows)
    out = [
        f"### trace against a catalog of {timing['tables']} tables",
        "",
        f"{timing['tables']} CSV tables of {timing['rows']} rows (5 of 12 column names each), "
        f"scanned in {timing['scan_seconds']:.1f} s; one shared with 5 recipients; a 10% "
        "sample of one copy traced with `labwarden trace` (a new process each time, median of "
        f"3): **{timing['trace_seconds']:.2f} s**, verdict {timing['verdict']} "
        f"{timing['recipients']}, {timing['candidates']} candidate table(s) reported.",
        "",
    ]
    print("\n".join(out), flush=True)


if __name__ == "__main__":
    main()
