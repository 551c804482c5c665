"""Run each scanner over a folder and return the ``(file, line)`` pairs it flagged.

labwarden runs in this process; detect-secrets and Kingfisher run from their own virtual
environment (``benchmarks/.work/peers-secrets``: ``pip install detect-secrets kingfisher-bin``).
Every tool is timed by CPU time (its own process, or its child processes), so figures are per
core and the load of a shared machine skews them less.
"""

from __future__ import annotations

import json
import resource
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from labwarden.checks.secrets import SecretsCheck
from labwarden.checks.standalone import inspect_paths

PEERS = Path(__file__).resolve().parents[1] / ".work" / "peers-secrets" / "bin"
Hits = set[tuple[str, int]]


@dataclass(frozen=True)
class Run:
    """What a tool flagged and the CPU seconds it took."""

    tool: str
    hits: Hits
    cpu_seconds: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def labwarden(root: Path) -> Run:
    """labwarden's secrets check over ``root`` (inventory, format detection and scan)."""
    root = root.resolve()
    start = time.process_time()
    result = inspect_paths([str(root)], [SecretsCheck(use_workspace_baseline=False)], exclude=())
    took = time.process_time() - start
    hits = {
        (Path(f.location.path).relative_to(root).as_posix(), f.location.line or 1)
        for f in result.findings
        if f.rule != "unreadable-file"
    }
    return Run("labwarden", hits, took)


def detect_secrets(root: Path) -> Run:
    """detect-secrets 1.5 with its default plugins and filters."""
    before = _children_cpu()
    out = subprocess.run(
        [str(PEERS / "detect-secrets"), "scan", "--all-files", "."],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    took = _children_cpu() - before
    results = json.loads(out.stdout)["results"]
    hits = {(name, item["line_number"]) for name, items in results.items() for item in items}
    return Run("detect-secrets 1.5", hits, took)


def kingfisher(root: Path) -> Run:
    """Kingfisher 2.14 (MongoDB) with all built-in rules, one job, no live validation."""
    before = _children_cpu()
    out = subprocess.run(
        [str(PEERS / "kingfisher"), "scan", ".", "--no-validate", "--format", "jsonl",
         "--git-history", "none", "--jobs", "1", "--confidence", "low", "--no-dedup",
         "--no-update-check"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    took = _children_cpu() - before
    hits: Hits = set()
    for line in out.stdout.splitlines():
        record = json.loads(line) if line.startswith("{") else {}
        finding = record.get("finding")
        if isinstance(finding, dict) and "path" in finding:
            hits.add((str(finding["path"]).removeprefix("./"), int(finding["line"])))
    return Run("Kingfisher 2.14", hits, took)


def available() -> list[Callable[[Path], Run]]:
    """labwarden, and each peer whose executable is installed."""
    tools: list[Callable[[Path], Run]] = [labwarden]
    if (PEERS / "detect-secrets").exists():
        tools.append(detect_secrets)
    if (PEERS / "kingfisher").exists():
        tools.append(kingfisher)
    return tools
