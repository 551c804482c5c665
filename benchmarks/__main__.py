"""``python -m benchmarks``: list the benchmark suites and how to run each.

Each suite writes its own results file; ``benchmarks/RESULTS.md`` collects them. Peer tools are
installed by each suite into a separate virtual environment under ``benchmarks/.work/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Print every runnable benchmark module."""
    print("Benchmark suites (run each with `.venv/bin/python -m <module>`):")
    for script in sorted(HERE.glob("*/*.py")):
        if script.name.startswith("_"):
            continue
        module = f"benchmarks.{script.parent.name}.{script.stem}"
        doc = (script.read_text(encoding="utf-8").split('"""')[1:2] or [""])[0].strip()
        first = doc.splitlines()[0] if doc else ""
        print(f"  {module:45} {first}")
    print("Results: benchmarks/RESULTS.md")
    sys.exit(0)


if __name__ == "__main__":
    main()
