"""What every format scanner of the model-file check receives and how it reports.

A format scanner is a function ``scan(ctx, blob)``: ``blob`` is one file or archive member (its
bytes, or an mmap for large files) and ``ctx`` collects findings and routes nested content (archive
members, decompressed streams) back through :func:`labwarden.checks.modelfile.dispatch.scan_blob`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from labwarden.checks.modelfile.lists import ImportPolicy
from labwarden.core.finding import Finding, Location
from labwarden.core.values import Severity

CHECK_NAME = "modelfile"


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits: every scan ends within bounded time and memory."""

    max_member_bytes: int = 2 << 30
    """Largest archive member or decompressed stream read into memory."""
    max_total_unpacked: int = 8 << 30
    """Total bytes unpacked from one archive (zip/tar/7z bomb guard)."""
    max_ratio: int = 500
    """Compression ratio above which a member of 16 MiB or more counts as a bomb (real data
    compresses 2-50x; deflate cannot exceed about 1030x)."""
    max_members: int = 100_000
    max_depth: int = 4
    """Archives nested inside archives."""
    max_text_bytes: int = 64 << 20
    """Largest JSON/YAML/template file read for template analysis."""


@dataclass(slots=True)
class Blob:
    """One file or archive member to scan."""

    path: str
    """The file on disk, as reported."""
    name: str
    """The base name used for format hints (the member's name inside an archive)."""
    data: Any
    """``bytes`` or an ``mmap`` (supports len, indexing, slicing, find)."""
    member: str | None = None
    """``inner/data.pkl`` inside an archive; nested archives joined with ``!``."""
    depth: int = 0
    hint: str = ""
    """A format the caller already knows (``pytorch-legacy``, ``joblib``...)."""
    cut: bool = False
    """Only the start of the content is here (a bomb or a scan limit, already reported): its end
    is not evidence of a truncated file."""

    @property
    def size(self) -> int:
        """Length of the data."""
        return len(self.data)

    def child(self, name: str, data: Any, hint: str = "", *, cut: bool = False) -> Blob:
        """A member of this blob (an archive entry or a decompressed stream)."""
        member = f"{self.member}!{name}" if self.member else name
        return Blob(self.path, name.rsplit("/", 1)[-1], data, member, self.depth + 1, hint, cut)


@dataclass(slots=True)
class ScanContext:
    """Collects findings for one file and carries the policy and limits."""

    policy: ImportPolicy
    limits: Limits = field(default_factory=Limits)
    findings: list[Finding] = field(default_factory=list)
    thorough: bool = False
    """Standalone inspection: also scan loose JSON/YAML configs for payloads."""
    dispatch: Callable[[ScanContext, Blob], None] | None = None
    sniff: Callable[[Blob], tuple[str, object]] | None = None
    """What a blob is (format, scanner or None), for containers deciding what to read."""
    unpacked: int = 0

    def add(
        self,
        blob: Blob,
        rule: str,
        severity: Severity,
        message: str,
        remediation: str,
        *,
        offset: int | None = None,
        line: int | None = None,
        evidence: dict[str, Any] | None = None,
    ) -> None:
        """Record a finding about ``blob``."""
        self.findings.append(
            Finding(
                check=CHECK_NAME,
                rule=rule,
                severity=severity,
                location=Location(blob.path, blob.member, offset, line),
                message=message,
                remediation=remediation,
                evidence=evidence or {},
            )
        )

    def scan(self, blob: Blob) -> None:
        """Scan nested content (an archive member or a decompressed stream)."""
        if self.dispatch is None:
            raise RuntimeError("ScanContext.dispatch is not set")
        if blob.depth > self.limits.max_depth:
            self.add(
                blob,
                "nesting-limit",
                Severity.MEDIUM,
                f"archives are nested more than {self.limits.max_depth} levels deep; "
                "the innermost content was not scanned",
                "Unpack the archive by hand in a sandbox and scan what it holds.",
            )
            return
        self.dispatch(self, blob)


class FormatScanner(Protocol):
    """A scanner of one format family."""

    def __call__(self, ctx: ScanContext, blob: Blob) -> None:
        """Add the findings for ``blob`` to ``ctx``."""
        ...
