"""Detection on ../shared/corpora/models against its labels, labwarden and the peers side by side.

Run: ``.venv/bin/python -m benchmarks.modelfile.corpus`` (writes corpus.json next to RESULTS.md).

Each tool's verdict on a file is the highest severity it reports there, bucketed as
``high`` (high or critical), ``medium``, ``low`` (low or info), ``clean``, ``error`` (the tool
refused or failed on the file) or ``crash`` (traceback or time-out). A label is met when a
``malicious`` file is ``high``, a ``suspicious`` file at least ``medium``, a ``benign`` file not
``high``, and an ``edge`` file anything but ``crash``.
"""

from __future__ import annotations

import csv
import json
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from benchmarks.modelfile.common import CORPUS, ROOT, ensure_peers, labwarden_bin, timed

BUCKETS = ("high", "medium", "low", "clean", "error", "crash")
LABELS = ("malicious", "unparseable", "suspicious", "benign", "edge")
RANK = {"critical": 4, "high": 4, "medium": 3, "warning": 3, "low": 2, "info": 2, "clean": 1}


def bucket(severity: str) -> str:
    """The bucket of a severity word."""
    rank = RANK.get(severity.lower(), 1)
    return {4: "high", 3: "medium", 2: "low"}.get(rank, "clean")


def worst(levels: list[str]) -> str:
    """The worst bucket among ``levels``."""
    order = {"high": 5, "medium": 4, "low": 3, "clean": 2, "error": 1, "crash": 0}
    return max(levels, key=lambda b: order[b]) if levels else "clean"


def labels(root: Path = CORPUS) -> dict[str, str]:
    """Relative path -> label."""
    with (root / "labels.csv").open(newline="") as handle:
        return {row["path"]: row["label"] for row in csv.DictReader(handle)}


def run_labwarden(files: dict[str, str], root: Path = CORPUS) -> tuple[dict[str, str], float]:
    """One ``inspect models`` run over the corpus."""
    result = timed(
        [str(labwarden_bin()), "inspect", "models", str(root), "-f", "json", "--fail-on", "never"]
    )
    found: dict[str, list[str]] = defaultdict(list)
    for finding in json.loads(result.stdout):
        rel = str(Path(finding["location"]["path"]).relative_to(root))
        found[rel].append(bucket(finding["severity"]))
    return {f: worst(found.get(f, [])) for f in files}, result.seconds


def run_picklescan(
    bin_dir: Path, files: dict[str, str], root: Path = CORPUS
) -> tuple[dict[str, str], float]:
    """picklescan, one file at a time (its folder report does not say which file is suspicious)."""
    verdicts: dict[str, str] = {}
    total = 0.0
    for rel in files:
        result = timed([str(bin_dir / "picklescan"), "-p", str(root / rel)], timeout=300)
        total += result.seconds
        text = result.stdout + result.stderr
        if result.timed_out or "Traceback" in text:
            verdicts[rel] = "crash"
        elif re.search(r"Dangerous globals: [1-9]", text) or result.returncode == 1:
            verdicts[rel] = "high"
        elif re.search(r"Suspicious globals: [1-9]", text):
            verdicts[rel] = "medium"
        elif (
            "could not parse" in text
            or "ERROR" in text
            or result.returncode == 2
            or re.search(r"Scanned files: 0", text)
        ):
            verdicts[rel] = "error"
        else:
            verdicts[rel] = "clean"
    return verdicts, total


def run_fickling(
    bin_dir: Path, files: dict[str, str], root: Path = CORPUS
) -> tuple[dict[str, str], float]:
    """fickling --check-safety, one file at a time (it takes one file)."""
    levels = {
        "OVERTLY_MALICIOUS": "high",
        "LIKELY_OVERTLY_MALICIOUS": "high",
        "LIKELY_UNSAFE": "high",
        "SUSPICIOUS": "medium",
        "POSSIBLY_UNSAFE": "medium",
        "LIKELY_SAFE": "clean",
    }
    verdicts: dict[str, str] = {}
    total = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "f.json"
        for rel in files:
            out.unlink(missing_ok=True)
            result = timed(
                [
                    str(bin_dir / "fickling"),
                    "--check-safety",
                    "--json-output",
                    str(out),
                    str(root / rel),
                ],
                timeout=300,
            )
            total += result.seconds
            if result.timed_out or "Traceback" in result.stderr:
                verdicts[rel] = "crash"
            elif out.exists():
                verdicts[rel] = worst(
                    [levels.get(s, "medium") for s in _json_objects(out.read_text())]
                )
            else:
                verdicts[rel] = "error"
    return verdicts, total


def _json_objects(text: str) -> list[str]:
    """The ``severity`` of each JSON object fickling wrote (one per pickle stream)."""
    decoder = json.JSONDecoder()
    pos, found = 0, []
    while pos < len(text):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        value, pos = decoder.raw_decode(text, pos)
        found.append(str(value.get("severity", "")))
    return found


def run_modelscan(
    bin_dir: Path, files: dict[str, str], root: Path = CORPUS
) -> tuple[dict[str, str], float]:
    """modelscan over the corpus folder, JSON report."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ms.json"
        result = timed(
            [str(bin_dir / "modelscan"), "-p", str(root), "-r", "json", "-o", str(out)],
            timeout=1800,
        )
        report = json.loads(out.read_text()) if out.exists() else {}
    base = Path(report.get("summary", {}).get("absolute_path", root))
    found: dict[str, list[str]] = defaultdict(list)
    for issue in report.get("issues", []):
        found[_rel(base, issue.get("source", ""), root)].append(bucket(issue.get("severity", "")))
    for error in report.get("errors", []):
        rel = _rel(base, error.get("source", ""), root)
        if rel:
            found[rel].append("error")
    scanned = {
        _rel(base, s, root)
        for s in report.get("summary", {}).get("scanned", {}).get("scanned_files", [])
    }
    verdicts = {}
    for rel in files:
        if result.timed_out:
            verdicts[rel] = "crash"
        elif rel in found:
            verdicts[rel] = worst(found[rel])
        else:
            verdicts[rel] = "clean" if rel in scanned else "error"
    return verdicts, result.seconds


def run_modelaudit(
    bin_dir: Path, files: dict[str, str], root: Path = CORPUS, timeout: float = 1800
) -> tuple[dict[str, str], float]:
    """ModelAudit over the corpus folder, JSON report."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ma.json"
        result = timed(
            [str(bin_dir / "modelaudit"), "scan", str(root), "--format", "json", "-o", str(out)],
            timeout=timeout,
        )
        report = json.loads(out.read_text()) if out.exists() else {}
    found: dict[str, list[str]] = defaultdict(list)
    for issue in report.get("issues", []):
        where = str(issue.get("location") or issue.get("details", {}).get("path") or "")
        where = where.split(" (pos", maxsplit=1)[0].split(":", maxsplit=1)[0]
        rel = _rel(root, where, root)
        if rel:
            found[rel].append(bucket(str(issue.get("severity", ""))))
    verdicts = {}
    for rel in files:
        if result.timed_out:
            verdicts[rel] = "crash"
        else:
            verdicts[rel] = worst(found.get(rel, []))
    return verdicts, result.seconds


def _rel(base: Path, source: str, root: Path = CORPUS) -> str:
    if not source:
        return ""
    path = Path(source)
    if not path.is_absolute():
        path = base / path
    try:
        return str(path.relative_to(root))
    except ValueError:
        return source


def met(label: str, verdict: str) -> bool:
    """Whether ``verdict`` meets the expectation of ``label``."""
    if label in ("malicious", "unparseable"):
        return verdict == "high"
    if label == "suspicious":
        return verdict in ("high", "medium")
    if label == "benign":
        return verdict not in ("high", "crash")
    return verdict != "crash"


def compare(
    root: Path, files: dict[str, str], modelaudit_timeout: float = 1800
) -> dict[str, dict[str, object]]:
    """Run every tool over ``root`` and score each against the labels of ``files``."""
    bin_dir = ensure_peers()
    tools: dict[str, Callable[[], tuple[dict[str, str], float]]] = {
        "labwarden": lambda: run_labwarden(files, root),
        "picklescan": lambda: run_picklescan(bin_dir, files, root),
        "modelscan": lambda: run_modelscan(bin_dir, files, root),
        "fickling": lambda: run_fickling(bin_dir, files, root),
        "modelaudit": lambda: run_modelaudit(bin_dir, files, root, modelaudit_timeout),
    }
    results: dict[str, dict[str, object]] = {}
    for name, runner in tools.items():
        verdicts, seconds = runner()
        matrix = {
            label: dict(Counter(verdicts[f] for f, lab in files.items() if lab == label))
            for label in LABELS
        }
        passed = {
            label: sum(met(label, verdicts[f]) for f, lab in files.items() if lab == label)
            for label in LABELS
        }
        results[name] = {
            "seconds": round(seconds, 1),
            "matrix": matrix,
            "met": passed,
            "verdicts": verdicts,
            "misses": sorted(f for f, lab in files.items() if not met(lab, verdicts[f])),
        }
        print(name, passed, f"{seconds:.1f}s", flush=True)
    return results


def main() -> None:
    files = labels()
    results = compare(CORPUS, files)
    totals = {label: sum(1 for lab in files.values() if lab == label) for label in LABELS}
    out = ROOT / "benchmarks" / "modelfile" / "corpus.json"
    out.write_text(json.dumps({"totals": totals, "tools": results}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
