"""Escalation paths: labwarden against Cloudsplaining on the same accounts, in one run.

Usage: .venv/bin/python -m benchmarks.identity.escalation [--peer-python PATH]
The peer runs in its own virtual environment (default benchmarks/.work/cloudsplaining, created
with pip when missing). Writes benchmarks/identity/escalation.json and prints a summary table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.identity.accounts import cases
from labwarden.identity.account import parse_account
from labwarden.identity.escalation.paths import PathFinder
from labwarden.identity.model import AccessModel

HERE = Path(__file__).resolve().parent
WORK = HERE.parent / ".work" / "identity"


def peer_python(given: str | None) -> str:
    if given:
        return given
    venv = HERE.parent / ".work" / "cloudsplaining"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "cloudsplaining"], check=True)
    return str(python)


def score(truth: dict[str, dict[str, bool]], found: dict[str, set[str]]) -> dict[str, object]:
    tp = fp = fn = tn = 0
    misses, false = [], []
    for case, subjects in truth.items():
        for who, escalates in subjects.items():
            hit = who in found.get(case, set())
            if escalates and hit:
                tp += 1
            elif escalates:
                fn += 1
                misses.append(f"{case}:{who}")
            elif hit:
                fp += 1
                false.append(f"{case}:{who}")
            else:
                tn += 1
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "misses": misses, "false_positives": false}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--peer-python")
    args = parser.parse_args()
    folder = WORK / "accounts"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    truth = {}
    for case in cases():
        (folder / f"{case.name}.json").write_text(json.dumps(case.document))
        truth[case.name] = case.truth
    ours: dict[str, set[str]] = {}
    start = time.perf_counter()
    for case in cases():
        model = AccessModel(parse_account(case.document, case.name))
        ours[case.name] = {p.principal for p in PathFinder(model).all_paths()}
    our_seconds = time.perf_counter() - start
    python = peer_python(args.peer_python)
    peer = {}
    for mode in ("default", "all"):
        out = subprocess.run(
            [python, str(HERE / "_cloudsplaining_driver.py"), str(folder), mode],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        peer[mode] = (result["seconds"], {k: set(v) for k, v in result["flagged"].items()})
    rows = {"labwarden": (our_seconds, score(truth, ours))}
    rows["cloudsplaining (default)"] = (peer["default"][0], score(truth, peer["default"][1]))
    rows["cloudsplaining --flag-all-risky-actions"] = (peer["all"][0], score(truth, peer["all"][1]))
    positives = sum(v for t in truth.values() for v in t.values())
    negatives = sum(not v for t in truth.values() for v in t.values())
    print(f"{len(truth)} accounts, {positives} escalating subjects, {negatives} that cannot")
    print("| tool | found | false positives | missed | time |")
    print("|---|---|---|---|---|")
    for tool, (seconds, s) in rows.items():
        found = f"{s['tp']}/{positives}"
        print(f"| {tool} | {found} | {s['fp']}/{negatives} | {s['fn']} | {seconds:.2f} s |")
    document = {t: {"seconds": sec, **s} for t, (sec, s) in rows.items()}
    (HERE / "escalation.json").write_text(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    main()
