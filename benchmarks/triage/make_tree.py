"""A --root tree for the triage benchmark: the demo's compromised Debian server, plus N files
of research projects, home folders and logs, dated over 400 days (about 2% within a week)."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from labwarden.respond.triage.sample_host import compromised

FOLDERS = ("srv/projects", "home/alice/work", "home/bob/runs", "var/lib/app", "opt/tools")
NAMES = ("train", "eval", "config", "notes", "shard", "metrics", "ckpt", "log", "batch")
SUFFIXES = (".py", ".json", ".yaml", ".txt", ".csv", ".log", ".md", ".parquet")


def make_tree(root: Path, files: int, seed: int = 16) -> None:
    """Write the server and ``files`` more small files below ``root``."""
    now = datetime.now(UTC)
    compromised(root, now)
    rng = random.Random(seed)
    made: set[Path] = set()
    for index in range(files):
        top = FOLDERS[index % len(FOLDERS)]
        folder = root / top / f"p{index // 2000:03d}" / f"d{(index // 50) % 40:02d}"
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        name = f"{rng.choice(NAMES)}-{index:06d}{rng.choice(SUFFIXES)}"
        path = folder / name
        path.write_bytes(rng.randbytes(rng.randrange(64, 2048)))
        age = timedelta(days=rng.random() * 400)
        stamp = (now - age).timestamp()
        os.utime(path, (stamp, stamp))
