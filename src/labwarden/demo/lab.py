"""Assemble the demo lab from parts; later capabilities add parts to :func:`_parts`.

Every part gets a :class:`Lab` (:mod:`labwarden.demo.writer`) that writes files with fixed
timestamps, so that two builds of the lab are byte-for-byte identical.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from labwarden.core.errors import InputError
from labwarden.demo import access_logs, code, datasets, logs, models
from labwarden.demo.writer import EPOCH, Lab

__all__ = ["EPOCH", "MARKER", "Lab", "build_lab"]

MARKER = ".labwarden-demo"


Part = Callable[[Lab], None]


def _parts() -> list[Part]:
    """The parts of the lab, in order; each capability adds its own line here."""
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
