"""Bandit's pickle/yaml/eval/torch/hub checks against ``labwarden inspect code``, side by side.

Two labelled sets, both tools in the same run:

* ``corpus/``: ML training code written for this benchmark, each unsafe call site marked with
  ``# label: CLASS`` on its line (a development set: it was written knowing the rules);
* real code: ``open_clip_torch`` 3.3.0 (with its ``open_clip_train`` training scripts) and
  ``timm`` 1.0.31 as their wheels ship them, labelled in ``real_labels.csv`` (development: the
  rules were improved after its first run);
* held out: ``trl`` 1.16.0 (its training scripts and trainers) and ``peft`` 0.21.2, labelled in
  ``heldout_labels.csv`` before either tool ran on them.

Bandit 1.9.4 runs from its own virtual environment under ``benchmarks/.work`` with the tests
that cover these classes (B301 pickle, B506 yaml_load, B307 eval, B102 exec, B614 pytorch_load,
B615 huggingface_unsafe_download). Precision and recall are per class, a finding counting when
its file, line and class match a label. Writes ``results.json`` beside this file.

Run: ``.venv/bin/python -m benchmarks.code.compare``.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WORK = ROOT / "benchmarks" / ".work"
VENV = WORK / "code-venv"
PACKAGES = ("open_clip_torch==3.3.0", "timm==1.0.31")
HELD_OUT = ("trl==1.16.0", "peft==0.21.2")
BANDIT = "bandit==1.9.4"
BANDIT_TESTS = "B301,B506,B307,B102,B614,B615"
CLASSES = ("pickle", "torch", "numpy", "yaml", "keras", "eval", "hub")

LABWARDEN_CLASS = {
    "unsafe-load-pickle": "pickle",
    "unsafe-load-dill": "pickle",
    "unsafe-load-joblib": "pickle",
    "unsafe-load-torch": "torch",
    "unsafe-load-numpy": "numpy",
    "unsafe-load-yaml": "yaml",
    "unsafe-load-keras": "keras",
    "eval-fetched": "eval",
    "hub-unpinned": "hub",
    "trust-remote-code": "hub",
}
BANDIT_CLASS = {
    "B301": "pickle",
    "B506": "yaml",
    "B307": "eval",
    "B102": "eval",
    "B614": "torch",
    "B615": "hub",
}
_LABEL = re.compile(r"#\s*label:\s*(\w+)")

Site = tuple[str, int, str]
"""(path relative to the set's root, line, class)."""


def ensure_bandit() -> None:
    """Bandit in its own virtual environment."""
    if not (VENV / "bin" / "bandit").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", BANDIT], check=True)


def unpacked(folder: str, packages: tuple[str, ...]) -> Path:
    """The wheels of ``packages`` (downloaded once, without dependencies) unpacked in
    ``benchmarks/.work/<folder>``."""
    ensure_bandit()
    root = WORK / folder
    if not root.exists():
        wheels = WORK / f"{folder}-pkgs"
        pip = str(VENV / "bin" / "pip")
        subprocess.run(
            [pip, "download", "-q", "--no-deps", "-d", str(wheels), *packages], check=True
        )
        for wheel in sorted(wheels.glob("*.whl")):
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(root)
        for extra in root.glob("*.dist-info"):
            shutil.rmtree(extra)
    return root


def ensure_peers() -> Path:
    """Bandit, and the first real set unpacked; returns its root."""
    return unpacked("code-real", PACKAGES)


def corpus_labels(root: Path) -> set[Site]:
    """The ``# label: CLASS`` marks of the corpus."""
    found: set[Site] = set()
    for path in sorted(root.glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            mark = _LABEL.search(line)
            if mark:
                found.add((path.name, number, mark.group(1)))
    return found


def real_labels(root: Path, name: str = "real_labels.csv") -> set[Site]:
    """A labels file, each label checked against the line it names."""
    rows = (HERE / name).read_text().splitlines()
    reader = csv.DictReader(row for row in rows if not row.startswith("#"))
    found: set[Site] = set()
    for row in reader:
        line = int(row["line"])
        text = (root / row["path"]).read_text(encoding="utf-8").splitlines()[line - 1]
        if row["snippet"] not in text:
            raise SystemExit(f"label {row['path']}:{line} does not match: {text.strip()!r}")
        found.add((row["path"], line, row["class"]))
    return found


def run_labwarden(root: Path) -> tuple[set[Site], float]:
    """Findings of ``labwarden inspect code`` mapped to classes, and the seconds it took."""
    command = [sys.executable, "-m", "labwarden", "inspect", "code", str(root)]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "--format", "json", "--fail-on", "never"],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    found: set[Site] = set()
    for finding in json.loads(done.stdout):
        kind = LABWARDEN_CLASS.get(finding["rule"])
        if kind:
            path = Path(finding["location"]["path"]).relative_to(root)
            found.add((str(path), int(finding["location"]["line"]), kind))
    return found, seconds


def run_bandit(root: Path) -> tuple[set[Site], float]:
    """Findings of Bandit's tests for the same classes, and the seconds it took."""
    command = [str(VENV / "bin" / "bandit"), "-r", str(root), "-t", BANDIT_TESTS]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "-f", "json", "-q"], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    found: set[Site] = set()
    for result in json.loads(done.stdout)["results"]:
        kind = BANDIT_CLASS.get(result["test_id"])
        if kind:
            path = Path(result["filename"]).resolve().relative_to(root.resolve())
            found.add((str(path), int(result["line_number"]), kind))
    return found, seconds


def score(truth: set[Site], found: set[Site]) -> dict[str, dict[str, Any]]:
    """Per class and overall: true and false positives, misses, precision and recall."""
    table: dict[str, dict[str, Any]] = {}
    for kind in (*CLASSES, "all"):
        want = {s for s in truth if kind in ("all", s[2])}
        got = {s for s in found if kind in ("all", s[2])}
        tp, fp, fn = len(want & got), len(got - want), len(want - got)
        table[kind] = {
            "labelled": len(want),
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "recall": round(tp / (tp + fn), 3) if tp + fn else None,
        }
    return table


def evaluate(name: str, root: Path, truth: set[Site]) -> dict[str, Any]:
    """Both tools on one labelled set."""
    ours, our_seconds = run_labwarden(root)
    theirs, their_seconds = run_bandit(root)
    return {
        "set": name,
        "labels": len(truth),
        "classes": dict(Counter(s[2] for s in truth)),
        "labwarden": {"seconds": round(our_seconds, 2), "scores": score(truth, ours)},
        "bandit": {"seconds": round(their_seconds, 2), "scores": score(truth, theirs)},
        "missed_by_labwarden": sorted(truth - ours),
        "false_labwarden": sorted(ours - truth),
        "missed_by_bandit": sorted(truth - theirs),
        "false_bandit": sorted(theirs - truth),
    }


def main() -> None:
    real = ensure_peers()
    load = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    sets = [
        evaluate("corpus (development)", HERE / "corpus", corpus_labels(HERE / "corpus")),
        evaluate("open_clip 3.3.0 + timm 1.0.31 (development)", real, real_labels(real)),
        evaluate(
            "trl 1.16.0 + peft 0.21.2 (held out for the first run)",
            unpacked("code-heldout", HELD_OUT),
            real_labels(unpacked("code-heldout", HELD_OUT), "heldout_labels.csv"),
        ),
    ]
    results = {"uptime": load, "bandit": BANDIT, "bandit_tests": BANDIT_TESTS, "sets": sets}
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    for item in sets:
        print(f"\n{item['set']}: {item['labels']} labelled sites")
        print(f"{'class':8} {'labwarden P/R':>16} {'bandit P/R':>16}")
        for kind in (*CLASSES, "all"):
            ours = item["labwarden"]["scores"][kind]
            theirs = item["bandit"]["scores"][kind]
            if not ours["labelled"] and not ours["fp"] and not theirs["fp"]:
                continue
            print(f"{kind:8} {_pr(ours):>16} {_pr(theirs):>16}")
    print(f"\nload: {load}")


def _pr(row: dict[str, Any]) -> str:
    def fmt(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    return f"{fmt(row['precision'])}/{fmt(row['recall'])} ({row['tp']}/{row['fp']}/{row['fn']})"


if __name__ == "__main__":
    main()
