"""Generate a tree of many small files (a lab-like layout) for the inventory benchmarks."""

from __future__ import annotations

import argparse
import random
from pathlib import Path


def make_tree(root: Path, files: int, seed: int = 7) -> Path:
    """Write ``files`` small files of 200 B to 8 KiB below ``root`` in 100-file folders."""
    rng = random.Random(seed)
    kinds = [
        ("code", ".py", b"def f(x):\n    return x * 2\n"),
        ("logs", ".log", b"2026-10-01T02:00:00Z INFO step=1 loss=0.5\n"),
        ("data", ".csv", b"compound_id,smiles,ic50\nCPD1,CCO,12.5\n"),
        ("docs", ".md", b"# notes\nsome text\n"),
    ]
    for i in range(files):
        folder_no, index = divmod(i, 100)
        kind, ext, seed_bytes = kinds[folder_no % len(kinds)]
        folder = root / kind / f"group-{folder_no // 40:03d}" / f"f{folder_no:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        size = rng.randrange(200, 8192)
        body = (seed_bytes * (size // len(seed_bytes) + 1))[:size]
        (folder / f"item-{index:03d}{ext}").write_bytes(body)
    return root


def main() -> None:
    """CLI: ``python -m benchmarks.inventory.make_tree DIR --files N``."""
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("--files", type=int, default=100_000)
    args = parser.parse_args()
    make_tree(args.root, args.files)


if __name__ == "__main__":
    main()
