"""The held-out set: model files built by people who never saw labwarden's code, every tool side
by side in one run.

The files are the test data of picklescan (mmaitre314/picklescan, MIT): its generator
``tests/init_data_files.py`` writes them with ``pickle.dump`` of ``__reduce__`` objects (the
published GHSA advisories of picklescan, CTF pickles, memo tricks, corrupt zips, NumPy object
arrays). That script is not part of this repository: run it from a checkout of picklescan in the
benchmark venv (modules it imports that the venv lacks, such as torch, can be stand-ins that
carry only the module and qualified name, which is all a pickle records), then::

    .venv/bin/python -m benchmarks.modelfile.heldout FOLDER

No rule was written against these files before they were measured; a file labwarden missed
and a rule fixed afterwards is listed in RESULTS.md as such.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmarks.modelfile.common import ROOT, WORK
from benchmarks.modelfile.corpus import compare

BENIGN = ("benign", "int_array", "object_array", "not_a_pickle")
"""picklescan's own benign and not-a-pickle files (``not_a_pickle.bin`` is raw weights whose
first byte happens to be the GLOBAL opcode)."""


def label(name: str) -> str:
    """The expected verdict of one of picklescan's test files, from its name."""
    if name.startswith(BENIGN):
        return "benign"
    if name == "bad_pytorch.pt":
        return "unparseable"  # a PNG named .pt
    return "malicious"


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else WORK / "heldout"
    files = {
        str(path.relative_to(root)): label(path.name)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
    results = compare(root, files, modelaudit_timeout=300)
    kinds = sorted(set(files.values()))
    totals = {lab: sum(1 for v in files.values() if v == lab) for lab in kinds}
    out = ROOT / "benchmarks" / "modelfile" / "heldout.json"
    out.write_text(json.dumps({"totals": totals, "tools": results}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
