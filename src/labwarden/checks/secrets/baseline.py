"""Baselines: secrets someone has reviewed and accepted, so that only new ones fail CI.

A baseline is a JSON file of ``{path, rule, hash}`` entries. Paths are relative to the baseline's
folder (to the project folder when the baseline sits in a ``.labwarden`` workspace), and the
hash is the short SHA-256 from :func:`~labwarden.checks.secrets.redact.secret_hash`, so moving
a line keeps the entry and changing the secret does not.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labwarden.core.errors import InputError, WorkspaceError
from labwarden.core.finding import Finding
from labwarden.core.workspace import locate
from labwarden.store.atomic import atomic_write

BASELINE_NAME = "secrets-baseline.json"
VERSION = 1


def baseline_root(path: Path) -> Path:
    """The folder that paths in the baseline at ``path`` are relative to."""
    folder = path.absolute().parent
    return folder.parent if folder.name == ".labwarden" else folder


@dataclass(slots=True)
class Baseline:
    """Accepted secrets, loaded from (and saved to) one file."""

    path: Path
    entries: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        """The folder entry paths are relative to."""
        return baseline_root(self.path)

    def key(self, finding: Finding) -> tuple[str, str, str]:
        """The ``(path, rule, hash)`` identity of a finding in this baseline."""
        return (
            self.relative(finding.location.path),
            finding.rule,
            str(finding.evidence.get("hash", "")),
        )

    def relative(self, path: str) -> str:
        """``path`` relative to :attr:`root` when it is below it, else unchanged."""
        root = str(self.root)
        try:
            if os.path.commonpath([root, path]) == root:
                return os.path.relpath(path, root).replace(os.sep, "/")
        except ValueError:
            pass
        return path

    def accepts(self, finding: Finding) -> bool:
        """Whether ``finding`` was accepted."""
        return self.key(finding) in self.entries

    @classmethod
    def load(cls, path: Path) -> Baseline:
        """Load the baseline at ``path``; a missing file is an empty baseline."""
        baseline = cls(path)
        if not path.exists():
            return baseline
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"{path}: cannot read the baseline: {exc.strerror}") from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: the baseline is not JSON: {exc}") from exc
        if not isinstance(document, dict) or not isinstance(document.get("secrets"), list):
            raise InputError(f"{path}: not a labwarden secrets baseline (no `secrets` list)")
        if document.get("version") != VERSION:
            raise InputError(f"{path}: unsupported baseline version {document.get('version')!r}")
        for index, entry in enumerate(document["secrets"]):
            if not isinstance(entry, dict) or not all(
                isinstance(entry.get(k), str) for k in ("path", "rule", "hash")
            ):
                raise InputError(f"{path}: secrets[{index}] needs string path, rule and hash")
            baseline.entries[(entry["path"], entry["rule"], entry["hash"])] = entry
        return baseline

    def update(self, findings: Iterable[Finding]) -> int:
        """Replace the entries with ``findings`` (keeping notes of entries that remain)."""
        fresh: dict[tuple[str, str, str], dict[str, Any]] = {}
        for finding in findings:
            if finding.check != "secrets" or "hash" not in finding.evidence:
                continue
            key = self.key(finding)
            old = self.entries.get(key, {})
            fresh[key] = {
                "path": key[0],
                "rule": key[1],
                "hash": key[2],
                "line": finding.location.line,
                "member": finding.location.member,
                "secret": finding.evidence.get("secret"),
                "note": old.get("note", ""),
            }
        self.entries = fresh
        return len(fresh)

    def save(self) -> None:
        """Write the baseline atomically."""
        rows = sorted(self.entries.values(), key=lambda e: (e["path"], e.get("line") or 0))
        document = {"version": VERSION, "generated_by": "labwarden", "secrets": rows}
        try:
            atomic_write(self.path, json.dumps(document, indent=2) + "\n")
        except WorkspaceError as exc:
            raise InputError(f"{self.path}: cannot write the baseline: {exc.message}") from exc


def discover(start: str) -> Path | None:
    """The workspace baseline that applies to files at ``start``.

    ``$LABWARDEN_WORKSPACE/secrets-baseline.json`` first, else the nearest
    ``.labwarden/secrets-baseline.json`` in ``start``'s folder or its parents, else the one of
    the workspace found from the current folder (as ``labwarden`` finds its workspace).
    """
    env = os.environ.get("LABWARDEN_WORKSPACE")
    if env:
        candidate = Path(env).expanduser() / BASELINE_NAME
        return candidate if candidate.is_file() else None
    here = Path(start)
    for folder in (here, *here.parents):
        candidate = folder / ".labwarden" / BASELINE_NAME
        if candidate.is_file():
            return candidate
    candidate = locate().root / BASELINE_NAME
    return candidate if candidate.is_file() else None
