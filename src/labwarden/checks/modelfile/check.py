"""The ``modelfile`` check: which files of an asset to scan, and how to read them safely."""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from labwarden.checks.interface import CheckContext
from labwarden.checks.modelfile.dispatch import scan_blob, sniff
from labwarden.checks.modelfile.interface import CHECK_NAME, Blob, Limits, ScanContext
from labwarden.checks.modelfile.lists import ImportPolicy, builtin_text, load_policy
from labwarden.checks.modelfile.positions import MODEL_EXTENSIONS, PICKLE_EXTENSIONS
from labwarden.core.asset import Asset, FileRecord
from labwarden.core.finding import Finding, Location
from labwarden.core.values import AssetKind, Severity

log = logging.getLogger(__name__)

ENV_ALLOWLIST = "LABWARDEN_MODELFILE_ALLOWLIST"
ENV_DENYLIST = "LABWARDEN_MODELFILE_DENYLIST"
MMAP_THRESHOLD = 64 << 20
RULES_VERSION = "2026-12-05"
"""Changed whenever the scanner's rules change, so that stored verdicts are re-judged."""
_TEMPLATE_NAMES = frozenset(
    {"tokenizer_config.json", "chat_template.json", "chat_template.jinja", "generation_config.json"}
)
_TEXT_SUFFIXES = (".json", ".yaml", ".yml", ".jinja", ".jinja2", ".j2", ".template", ".tmpl")
_MODEL_FORMATS = (
    "pickle",
    "joblib",
    "pytorch",
    "torchscript",
    "7z",
    "zip",
    "tar",
    "gzip",
    "bzip2",
    "xz",
    "numpy",
    "keras",
    "hdf5",
    "safetensors",
    "gguf",
    "onnx",
    "tf-",
    "skops",
)


def _env_paths(name: str) -> list[Path]:
    return [Path(p) for p in os.environ.get(name, "").split(os.pathsep) if p]


class ModelFileCheck:
    """Find malicious and unsafe model files (pickle imports, Lambda layers, template escapes,
    archive tricks) without loading them."""

    name = CHECK_NAME
    description = "Malicious and unsafe model files, found without loading them."

    def __init__(
        self,
        *,
        allowlists: Sequence[Path] = (),
        denylists: Sequence[Path] = (),
        thorough: bool = False,
        limits: Limits | None = None,
    ) -> None:
        self.thorough = thorough
        self.limits = limits or Limits()
        self._allow = [*_env_paths(ENV_ALLOWLIST), *allowlists]
        self._deny = [*_env_paths(ENV_DENYLIST), *denylists]
        self._policy: ImportPolicy | None = None
        self._fingerprint: str | None = None

    @property
    def fingerprint(self) -> str:
        """A digest of the scanner's rules and every list it judges with (shipped, user files,
        ``LABWARDEN_MODELFILE_*`` files): when it changes, a scan re-judges unchanged files."""
        if self._fingerprint is None:
            digest = hashlib.sha256(f"{RULES_VERSION}|{self.thorough}".encode())
            for name in ("allowlist.toml", "denylist.toml", "peers.toml", "reexports.toml"):
                digest.update(builtin_text(name).encode())
            for kind, paths in (("allow", self._allow), ("deny", self._deny)):
                for path in paths:
                    digest.update(f"|{kind}:{path}|".encode())
                    try:
                        digest.update(path.read_bytes())
                    except OSError:
                        digest.update(b"unreadable")
            self._fingerprint = digest.hexdigest()[:32]
        return self._fingerprint

    @property
    def policy(self) -> ImportPolicy:
        """The import policy (built on first use)."""
        if self._policy is None:
            self._policy = load_policy(self._allow, self._deny)
        return self._policy

    def wants(self, asset: Asset, record: FileRecord) -> bool:
        """Whether ``record`` of ``asset`` is something this check reads."""
        if record.size == 0:
            return False
        if record.kind in (AssetKind.MODEL, AssetKind.ARCHIVE):
            return True
        if record.format.startswith(_MODEL_FORMATS):
            return True
        low = record.name.lower()
        if self.thorough or low.endswith(PICKLE_EXTENSIONS + MODEL_EXTENSIONS):
            return True
        if low in _TEMPLATE_NAMES or low.endswith((".jinja", ".jinja2", ".j2")):
            return True
        if low.endswith(_TEXT_SUFFIXES):
            return self.thorough or asset.kind is AssetKind.MODEL
        return False

    def applies_to(self, asset: Asset) -> bool:
        """Model and archive assets, and any asset holding a model file or chat template."""
        return any(self.wants(asset, record) for record in asset.files)

    def run(self, asset: Asset, context: CheckContext) -> Iterable[Finding]:
        """Scan every wanted file of ``asset``; unreadable files become findings."""
        findings: list[Finding] = []
        for record in asset.files:
            if not self.wants(asset, record):
                continue
            found = self.scan_record(
                record, context, thorough=self.thorough or asset.kind is AssetKind.MODEL
            )
            for finding in found:
                findings.append(_with_asset(finding, asset.id))
        findings.sort(key=lambda f: (-f.severity.rank, f.location.path, f.location.offset or 0))
        return findings

    def scan_record(
        self, record: FileRecord, context: CheckContext, *, thorough: bool = True
    ) -> list[Finding]:
        """Scan one file of an asset."""
        ctx = ScanContext(
            self.policy, self.limits, thorough=thorough, dispatch=scan_blob, sniff=sniff
        )
        try:
            with context.open(record) as handle:
                local = _is_os_file(handle)
                size = os.fstat(handle.fileno()).st_size if local else record.size
                if size == 0:
                    return []
                if size > MMAP_THRESHOLD and local:
                    with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
                        scan_blob(ctx, Blob(record.path, record.name, view))
                        return ctx.findings
                data = handle.read()
        except OSError as exc:
            return [
                Finding(
                    check=CHECK_NAME,
                    rule="unreadable",
                    severity=Severity.LOW,
                    location=Location(record.path),
                    message=f"the file cannot be read: {exc.strerror or exc}",
                    remediation="Check the file's permissions, or whether it is a symbolic link.",
                )
            ]
        scan_blob(ctx, Blob(record.path, record.name, data))
        return ctx.findings

    def scan_bytes(self, data: bytes, name: str, path: str | None = None) -> list[Finding]:
        """Scan in-memory bytes as if they were the file ``name`` (for libraries and tests)."""
        ctx = ScanContext(self.policy, self.limits, thorough=True, dispatch=scan_blob, sniff=sniff)
        scan_blob(ctx, Blob(path or name, name, data))
        return ctx.findings


def _with_asset(finding: Finding, asset_id: int | None) -> Finding:
    if asset_id is None:
        return finding
    return Finding(
        finding.check,
        finding.rule,
        finding.severity,
        finding.location,
        finding.message,
        finding.remediation,
        finding.evidence,
        asset_id,
        finding.raises,
    )


def _is_os_file(handle: BinaryIO) -> bool:
    """Whether ``handle`` is an OS file (an object-store reader has no descriptor to map)."""
    try:
        handle.fileno()
    except (OSError, ValueError):
        return False
    return True
