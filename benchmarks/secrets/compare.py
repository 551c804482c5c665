"""labwarden, detect-secrets and Kingfisher side by side on the labelled sets, in one run.

Run: ``.venv/bin/python -m benchmarks.secrets.compare [dev|heldout ...]`` (both by default).
Prints, per split, overall precision and recall, per-family recall and precision, the kinds of
example each tool missed or flagged wrongly, and the CPU time each tool took.
"""

from __future__ import annotations

import os
import sys

from benchmarks.secrets.labelled import build
from benchmarks.secrets.score import Score, read_labels, score
from benchmarks.secrets.tools import available


def overall(scores: list[Score], size: int) -> list[str]:
    """The overall table."""
    lines = [
        "| tool | precision | recall | F1 | TP | FP | FN | CPU s | MB/s per core |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        rate = size / s.cpu_seconds / 1e6 if s.cpu_seconds else 0.0
        lines.append(
            f"| {s.tool} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.tp} | {s.fp} | "
            f"{s.fn} | {s.cpu_seconds:.2f} | {rate:.2f} |"
        )
    return lines


def per_family(scores: list[Score]) -> list[str]:
    """Recall and precision per family, one column per tool."""
    families = sorted({f for s in scores for f in (*s.family_tp, *s.family_fn, *s.family_fp)})
    head = "| family | " + " | ".join(f"{s.tool} R / P" for s in scores) + " |"
    lines = [head, "|---|" + "---|" * len(scores)]
    for family in families:
        cells = []
        for s in scores:
            tp, fn, fp = s.family_tp[family], s.family_fn[family], s.family_fp[family]
            recall = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
            precision = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
            cells.append(f"{recall} / {precision}")
        lines.append(f"| {family} | " + " | ".join(cells) + " |")
    return lines


def details(scores: list[Score]) -> list[str]:
    """What each tool missed and flagged wrongly, most frequent first."""
    lines: list[str] = []
    for s in scores:
        missed = ", ".join(f"{k} {n}" for k, n in s.missed.most_common(25)) or "none"
        false = ", ".join(f"{k} {n}" for k, n in s.false.most_common(25)) or "none"
        lines += ["", f"{s.tool} misses: {missed}", "", f"{s.tool} false positives: {false}"]
    return lines


def run_split(split: str) -> list[str]:
    """Build one split, run every available tool on it, and report."""
    root, labels = build(split)
    regions = read_labels(labels)
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    scores = [score(tool(root), regions) for tool in available()]
    positives = sum(r.label for r in regions)
    head = [
        f"### {split}: {positives} secrets and {len(regions) - positives} decoys in "
        f"{len({r.file for r in regions})} files ({size / 1024:.0f} KiB)",
        "",
        f"load average before the run: {os.getloadavg()[0]:.2f}",
        "",
    ]
    return [*head, *overall(scores, size), "", *per_family(scores), *details(scores), ""]


def main(argv: list[str]) -> None:
    """Report on the splits named in ``argv`` (both by default)."""
    for split in argv or ["dev", "heldout"]:
        print("\n".join(run_split(split)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
