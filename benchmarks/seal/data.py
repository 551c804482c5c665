"""Generate the benchmark inputs once: 4 x 1 GiB random files and 10,000 small files."""

from __future__ import annotations

import os
import random
from pathlib import Path

WORK = Path(__file__).resolve().parents[1] / ".work" / "seal"
GIB = 1024**3


def big_files(count: int = 4, size: int = GIB) -> Path:
    """``count`` files of ``size`` random bytes (reused when already there)."""
    folder = WORK / f"big-{count}x{size}"
    marker = WORK / f"{folder.name}.complete"
    if marker.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    chunk = 64 * 1024 * 1024
    for i in range(count):
        with (folder / f"model-{i + 1:05d}-of-{count:05d}.bin").open("wb") as handle:
            left = size
            while left:
                n = min(chunk, left)
                handle.write(os.urandom(n))
                left -= n
    marker.write_text("done\n")
    return folder


def small_files(count: int = 10_000, seed: int = 7) -> Path:
    """``count`` files of 1-16 KiB in 100 folders (reused when already there)."""
    folder = WORK / f"small-{count}"
    marker = WORK / f"{folder.name}.complete"
    if marker.exists():
        return folder
    rng = random.Random(seed)
    for i in range(count):
        path = folder / f"d{i % 100:03d}" / f"f{i:06d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rng.randbytes(rng.randint(1024, 16 * 1024)))
    marker.write_text("done\n")
    return folder
