"""The scanner before and after the handler-table refactor (#12), in one run on one machine.

Run: ``.venv/bin/python -m benchmarks.modelfile.before_after BEFORE_SRC FILE...`` where
``BEFORE_SRC`` is the ``src`` folder of a checkout of the earlier commit (a ``git worktree``).
Each (tree, file) pair is scanned in a fresh process, three times; the median CPU seconds
(user + system, start-up included) are written to before_after.json next to RESULTS.md.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

from benchmarks.modelfile.common import ROOT, timed

_SCAN = (
    "import sys\n"
    "from labwarden.checks.interface import CheckContext\n"
    "from labwarden.checks.modelfile.check import ModelFileCheck\n"
    "from labwarden.core.asset import FileRecord\n"
    "from labwarden.core.values import AssetKind\n"
    "p = sys.argv[1]\n"
    "import os\n"
    "r = FileRecord(p, os.path.getsize(p), 0, 0, 0, 0, '', AssetKind.MODEL, '')\n"
    "print(len(ModelFileCheck(thorough=True).scan_record(r, CheckContext())))\n"
)


def cpu(src: Path, path: Path, runs: int = 3) -> tuple[float, str]:
    """Median CPU seconds of scanning ``path`` with the labwarden of ``src``; its output."""
    os.environ["PYTHONPATH"] = str(src)
    python = str(ROOT / ".venv" / "bin" / "python")
    results = [timed([python, "-c", _SCAN, str(path)]) for _ in range(runs)]
    return statistics.median(r.cpu for r in results), results[-1].stdout.strip()


def main() -> None:
    """Measure every file with both trees."""
    before, files = Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]
    after = ROOT / "src"
    rows = []
    for path in files:
        b, b_out = cpu(before, path)
        a, a_out = cpu(after, path)
        rows.append(
            {
                "file": path.name,
                "size": path.stat().st_size,
                "before_cpu": round(b, 3),
                "after_cpu": round(a, 3),
                "findings_before": b_out,
                "findings_after": a_out,
            }
        )
        print(rows[-1], file=sys.stderr)
    out = ROOT / "benchmarks" / "modelfile" / "before_after.json"
    out.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
