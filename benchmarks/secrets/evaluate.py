"""Precision and recall of labwarden and detect-secrets on the labelled secrets set.

Run: ``.venv/bin/python -m benchmarks.secrets.evaluate`` (builds the set first). detect-secrets
runs from its own venv, ``benchmarks/.work/peers-secrets`` (``pip install detect-secrets``).
"""

from __future__ import annotations

import csv
import json
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.secrets.dataset import ROOT, build
from labwarden.checks.secrets import SecretsCheck
from labwarden.checks.standalone import inspect_paths

PEERS = Path(__file__).resolve().parents[1] / ".work" / "peers-secrets" / "bin"


@dataclass
class Score:
    tool: str
    seconds: float
    tp: int = 0
    fp: int = 0
    fn: int = 0
    missed: Counter[str] = field(default_factory=Counter)
    false: Counter[str] = field(default_factory=Counter)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def labwarden_hits(root: Path) -> tuple[set[tuple[str, int]], float]:
    start = time.perf_counter()
    result = inspect_paths([str(root)], [SecretsCheck(use_workspace_baseline=False)], exclude=())
    took = time.perf_counter() - start
    hits = set()
    for f in result.findings:
        if f.rule == "unreadable-file":
            continue
        rel = str(Path(f.location.path).relative_to(root))
        hits.add((rel, f.location.line or 1))
    return hits, took


def detect_secrets_hits(root: Path) -> tuple[set[tuple[str, int]], float]:
    start = time.perf_counter()
    out = subprocess.run(
        [str(PEERS / "detect-secrets"), "scan", "--all-files", "."],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    took = time.perf_counter() - start
    results = json.loads(out.stdout)["results"]
    return {(name, item["line_number"]) for name, items in results.items() for item in items}, took


def score(tool: str, hits: set[tuple[str, int]], took: float, rows: list[dict[str, str]]) -> Score:
    s = Score(tool, took)
    regions: dict[str, list[tuple[int, int, int, str]]] = {}
    for r in rows:
        regions.setdefault(r["file"], []).append(
            (int(r["first_line"]), int(r["last_line"]), int(r["label"]), r["kind"])
        )
    found_pos: set[tuple[str, int]] = set()
    false_regions: set[tuple[str, int]] = set()
    for name, line in hits:
        region = next(
            ((a, b, lab, k) for a, b, lab, k in regions.get(name, []) if a <= line <= b), None
        )
        if region is None:
            false_regions.add((name, -line))
            s.false["(neutral line)"] += 1
        elif region[2] == 1:
            found_pos.add((name, region[0]))
        elif (name, region[0]) not in false_regions:
            false_regions.add((name, region[0]))
            s.false[region[3]] += 1
    s.fp = len(false_regions)
    for r in rows:
        if r["label"] == "1":
            if (r["file"], int(r["first_line"])) in found_pos:
                s.tp += 1
            else:
                s.fn += 1
                s.missed[r["kind"]] += 1
    return s


def main() -> None:
    labels = build()
    rows = list(csv.DictReader(labels.open(encoding="utf-8")))
    size = sum(p.stat().st_size for p in ROOT.rglob("*") if p.is_file())
    scores = [score("labwarden", *labwarden_hits(ROOT), rows)]
    if (PEERS / "detect-secrets").exists():
        scores.append(score("detect-secrets 1.5", *detect_secrets_hits(ROOT), rows))
    positives = sum(r["label"] == "1" for r in rows)
    lines = [
        f"Labelled set: {positives} secrets and {len(rows) - positives} hard negatives in "
        f"{len({r['file'] for r in rows})} files ({size / 1024:.0f} KiB), built by "
        "`benchmarks/secrets/dataset.py`.",
        "",
        "| tool | precision | recall | F1 | TP | FP | FN |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        lines.append(
            f"| {s.tool} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.tp} | {s.fp} | "
            f"{s.fn} |"
        )
    for s in scores:
        lines.append("")
        lines.append(
            f"{s.tool} misses: "
            + (", ".join(f"{k} {n}" for k, n in s.missed.most_common()) or "none")
        )
        lines.append(
            f"{s.tool} false positives: "
            + (", ".join(f"{k} {n}" for k, n in s.false.most_common()) or "none")
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
