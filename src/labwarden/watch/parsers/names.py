"""The names of the log formats, importable without loading the parsers (for CLI help)."""

from __future__ import annotations

FORMAT_NAMES: tuple[str, ...] = (
    "cloudtrail",
    "gcp_audit",
    "azure_storage",
    "azure_activity",
    "github_audit",
    "gitlab_audit",
    "auditd",
    "s3access",
    "http",
    "authlog",
    "journald",
    "jsonl",
)
"""Every parser's name, in detection order (a test keeps it equal to the registry's)."""
