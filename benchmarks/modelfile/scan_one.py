"""The scanner alone, without the CLI: ``python -m benchmarks.modelfile.scan_one FILE...``.

Imports only ``labwarden.checks.modelfile`` (the full ``labwarden`` CLI also imports every other
command group at start-up); prints the number of findings per file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from labwarden.checks.interface import CheckContext
from labwarden.checks.modelfile.check import ModelFileCheck
from labwarden.core.asset import FileRecord
from labwarden.core.values import AssetKind


def main() -> None:
    check = ModelFileCheck(thorough=True)
    context = CheckContext()
    worst = 0
    for arg in sys.argv[1:]:
        path = Path(arg)
        record = FileRecord(str(path), path.stat().st_size, 0, 0, 0, 0, "", AssetKind.MODEL, "")
        found = check.scan_record(record, context)
        worst = max([worst, *(f.severity.rank for f in found)])
        print(f"{path}: {len(found)} findings")
    sys.exit(1 if worst >= 3 else 0)


if __name__ == "__main__":
    main()
