"""The writer every part of the demo lab builds with: files with fixed timestamps, so that two
builds of the lab are byte-for-byte identical (and so are their digests)."""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

EPOCH = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


@dataclass
class Lab:
    """A lab being built under ``root``."""

    root: Path
    seed: int = 2026
    rng: random.Random = field(init=False)
    written: list[Path] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    """What parts planted, for the demo's narrative and for tests (``facts['leaked_key']``...)."""

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def write(
        self, relative: str, content: bytes | str, *, day: int = 0, mode: int = 0o640
    ) -> Path:
        """Write one file with a fixed mtime ``day`` days after the lab's epoch."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        path.chmod(mode)
        stamp = (EPOCH + timedelta(days=day, minutes=len(self.written))).timestamp()
        os.utime(path, (stamp, stamp))
        self.written.append(path)
        return path

    def write_json(self, relative: str, value: Any, **kwargs: Any) -> Path:
        """Write ``value`` as indented JSON."""
        return self.write(relative, json.dumps(value, indent=2) + "\n", **kwargs)
