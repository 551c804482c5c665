"""What an operation in an access log did to the data: read it, wrote it, deleted it, listed it.

The classes are data (a pattern over the lower-cased ``api_operation`` each, first match wins)
and are rendered into one SQL ``CASE`` so the lake is grouped by them in DuckDB. A failed
operation (``status`` failure, denied, error) is counted as attempted, never as done.
"""

from __future__ import annotations

OPERATION_CLASSES: tuple[tuple[str, str], ...] = (
    ("delete", r"delete|remove|destroy|purge|^rm$"),
    (
        "write",
        r"^put|upload|write|^post$|copyobject|restoreobject|completemultipart|push|"
        r"^create(object|file)|^modify|^update|^replace|^rename|^move",
    ),
    ("list", r"^list|^head|^describe|^search|^stat$|^ls$|listing"),
    (
        "read",
        r"^get|read|download|^select|clone|pull|fetch|export|^open|^cat$|^copy$|^cp$|^scp$|"
        r"^archive",
    ),
)
"""``(class, pattern)``; an operation no pattern matches is ``other``."""

FAILED = ("failure", "failed", "denied", "error", "accessdenied")
"""Statuses of an operation that did not happen."""


def operation_class_sql(column: str = "api_operation", status: str = "status") -> str:
    """A SQL expression giving each event its class (``failed`` first, then the classes)."""
    failed = ", ".join(f"'{s}'" for s in FAILED)
    cases = " ".join(
        f"WHEN regexp_matches(lower({column}), '{pattern}') THEN '{name}'"
        for name, pattern in OPERATION_CLASSES
    )
    return (
        f"CASE WHEN lower(coalesce({status}, '')) IN ({failed}) THEN 'failed' "
        f"WHEN {column} IS NULL THEN 'other' {cases} ELSE 'other' END"
    )
