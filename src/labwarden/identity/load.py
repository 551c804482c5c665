"""Build an :class:`AccessModel` from files: authorization details, bucket policies, SCPs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from labwarden.core.errors import InputError
from labwarden.identity.account import load_account
from labwarden.identity.acl import with_acls
from labwarden.identity.model import AccessModel
from labwarden.identity.policy import Policy, parse_document

_MAX_POLICY = 16 * 1024 * 1024


def _json(path: Path) -> Any:
    try:
        if path.stat().st_size > _MAX_POLICY:
            raise InputError(f"{path}: larger than {_MAX_POLICY >> 20} MiB for a policy")
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not JSON: {exc}") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply") from None


def _unwrap(document: Any) -> Any:
    """A policy document from ``get-bucket-policy`` or ``describe-policy`` output, or as is."""
    if isinstance(document, dict) and "Statement" not in document:
        inner = document.get("Policy")
        if isinstance(inner, dict):
            inner = inner.get("Content", inner)
        if inner is not None:
            return inner
    return document


def read_policy(path: Path, kind: str, name: str | None = None) -> Policy:
    """One policy document from a file (``get-bucket-policy`` output is unwrapped)."""
    return parse_document(_unwrap(_json(path)), name or str(path), kind)


def read_scp_level(path: Path) -> list[Policy]:
    """The SCPs attached at one level: a document, or a JSON list of documents."""
    document = _json(path)
    items = document if isinstance(document, list) else [document]
    return [
        parse_document(_unwrap(item), f"{path}[{i}]" if len(items) > 1 else str(path), "scp")
        for i, item in enumerate(items)
    ]


def parse_bucket_option(text: str) -> tuple[str, Path]:
    """``BUCKET=FILE`` of ``--bucket-policy``."""
    bucket, sep, file = text.partition("=")
    if not sep or not bucket or not file:
        raise InputError(f"--bucket-policy {text!r}: expected BUCKET=FILE")
    return bucket, Path(file)


def load_model(
    details: Path,
    *,
    bucket_policies: Mapping[str, Path] | None = None,
    scps: Sequence[Path] = (),
    assumptions: Mapping[str, Sequence[str]] | None = None,
    stored_policies: Mapping[str, str] | None = None,
    stored_acls: Mapping[str, str] | None = None,
) -> AccessModel:
    """The access model of one account from its files; each ``scps`` file is one level.

    ``stored_policies`` are bucket policies as scans read them (bucket -> JSON text); a file
    given for the same bucket in ``bucket_policies`` wins. ``stored_acls`` are the ACL grants
    to everyone scans kept (bucket -> JSON, :mod:`labwarden.identity.acl`), judged with the
    bucket's policy."""
    account = load_account(details)
    policies = {
        bucket: _stored(bucket, text)
        for bucket, text in (stored_policies or {}).items()
        if bucket not in (bucket_policies or {})
    }
    policies.update(
        {
            bucket: read_policy(path, "resource", f"bucket policy of {bucket}")
            for bucket, path in (bucket_policies or {}).items()
        }
    )
    policies = with_acls(policies, stored_acls or {})
    model = AccessModel(account, policies, [read_scp_level(p) for p in scps])
    if assumptions:
        merged = dict(model.assumptions)
        merged.update({k.lower(): tuple(v) for k, v in assumptions.items()})
        model.assumptions = merged
    return model


def _stored(bucket: str, text: str) -> Policy:
    name = f"bucket policy of {bucket} (as scanned)"
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"{name}: not JSON: {exc}") from None
    return parse_document(document, name, "resource")


def parse_context(items: Sequence[str]) -> dict[str, list[str]]:
    """``--context KEY=VALUE`` options (a key given twice has several values)."""
    context: dict[str, list[str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(f"--context {item!r}: expected KEY=VALUE")
        context.setdefault(key.strip().lower(), []).append(value)
    return context
