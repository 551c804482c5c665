"""The buckets that hold catalog assets worth protecting (models, datasets, trial data)."""

from __future__ import annotations

from labwarden.core.values import AssetKind, Sensitivity
from labwarden.store.catalog import Catalog

_KINDS = frozenset({AssetKind.MODEL, AssetKind.DATASET})


def asset_buckets(catalog: Catalog) -> dict[str, list[str]]:
    """Bucket name -> URIs of its models, datasets and confidential or restricted assets."""
    found: dict[str, list[str]] = {}
    for uri, asset in catalog.assets.under(["s3://"]).items():
        worth = asset.kind in _KINDS or asset.sensitivity >= Sensitivity.CONFIDENTIAL
        if not worth:
            continue
        bucket = uri.removeprefix("s3://").split("/", 1)[0]
        found.setdefault(bucket, []).append(uri)
    return found


def scanned_policies(catalog: Catalog) -> tuple[dict[str, str], list[str]]:
    """The bucket policies scans read (bucket -> document), and what is not known: buckets
    whose policy could not be read, with why."""
    found: dict[str, str] = {}
    unknown: list[str] = []
    for bucket in catalog.buckets.all():
        if bucket.policy_state == "present" and bucket.policy is not None:
            found[bucket.name] = bucket.policy
        elif bucket.policy_state == "unknown":
            unknown.append(f"{bucket.name} ({bucket.policy_detail or 'not read'})")
    return found, unknown


def scanned_acls(catalog: Catalog) -> dict[str, str]:
    """The ACL grants to everyone and to any AWS account that scans found taking effect
    (bucket -> JSON), for buckets that have any."""
    return {
        b.name: b.acl for b in catalog.buckets.all() if b.acl_state == "present" and b.acl != "[]"
    }
