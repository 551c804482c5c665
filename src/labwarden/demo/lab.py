"""Assemble the demo lab from parts; later capabilities add parts to :data:`PARTS`.

Every part gets a :class:`Lab` that writes files with fixed timestamps, so that two builds of the
lab are byte-for-byte identical (and so are their digests).
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from labwarden.core.errors import InputError

MARKER = ".labwarden-demo"
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


Part = Callable[[Lab], None]


def _parts() -> list[Part]:
    """The parts of the lab, in order; each capability adds its own line here."""
    from labwarden.demo import access_logs, code, datasets, logs, models

    return [models.build, datasets.build, code.build, logs.build, access_logs.build]


def build_lab(root: Path, *, force: bool = False) -> Lab:
    """Build the lab under ``root``; refuses a non-empty folder that is not an earlier demo lab."""
    root = root.absolute()
    occupied = root.exists() and any(p.name not in (MARKER, ".labwarden") for p in root.iterdir())
    if occupied and not (root / MARKER).exists() and not force:
        raise InputError(
            f"{root}: folder exists and is not a labwarden demo lab; "
            "choose an empty folder or pass --force"
        )
    root.mkdir(parents=True, exist_ok=True)
    lab = Lab(root)
    for part in _parts():
        part(lab)
    _restore_folder_modes(lab)
    (root / MARKER).write_text("built by labwarden demo\n", encoding="utf-8")
    return lab


def _restore_folder_modes(lab: Lab) -> None:
    for relative, mode in lab.facts.get("folder_modes", {}).items():
        (lab.root / relative).chmod(mode)
