"""A bucket's ACL as it takes effect: the grants to everyone and to every AWS account.

The grants a scan keeps are those that widen who may act on the bucket beyond the account's
policies: ``AllUsers`` (anyone, signed or not) and ``AuthenticatedUsers`` (anyone signed in to
any AWS account). They do not take effect when the bucket's object ownership is
``BucketOwnerEnforced`` (ACLs are disabled) or its public access block sets
``IgnorePublicAcls``; the account-level public access block is not read (it needs the
account's id and ``s3control``), which :attr:`BucketAcl.detail` says.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from labwarden.inventory.sources.s3listing import error_code

GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
}
PERMISSIONS = ("READ", "WRITE", "READ_ACP", "WRITE_ACP", "FULL_CONTROL")


@dataclass(frozen=True, slots=True)
class BucketAcl:
    """What a scan learned of a bucket's ACL."""

    state: str
    """``present`` (read; ``grants`` may be empty), ``disabled`` (the bucket owner enforces
    ownership: ACLs do not apply) or ``unknown`` (could not be read)."""
    grants: tuple[tuple[str, str], ...] = ()
    """(group, permission) pairs that take effect, e.g. ``("AllUsers", "READ")``."""
    detail: str = ""
    """Why the ACL is unknown, or which public grants a public access block makes void."""

    def to_json(self) -> str:
        """The grants as JSON text (what the catalog keeps)."""
        return json.dumps([{"grantee": g, "permission": p} for g, p in self.grants])


def _owner_enforced(client: Any, bucket: str) -> bool:
    try:
        got = client.get_bucket_ownership_controls(Bucket=bucket)
    except Exception:  # no ownership controls, or not readable: ACLs may apply
        return False
    rules = got.get("OwnershipControls", {}).get("Rules", [])
    return any(r.get("ObjectOwnership") == "BucketOwnerEnforced" for r in rules)


def _ignores_public(client: Any, bucket: str) -> bool:
    try:
        got = client.get_public_access_block(Bucket=bucket)
    except Exception:  # none set, or not readable: public grants may apply
        return False
    return bool(got.get("PublicAccessBlockConfiguration", {}).get("IgnorePublicAcls"))


def public_grants(raw: list[dict[str, Any]]) -> tuple[tuple[str, str], ...]:
    """The (group, permission) pairs of ``GetBucketAcl`` grants to everyone or to any account."""
    found = set()
    for grant in raw:
        grantee = grant.get("Grantee") if isinstance(grant, dict) else None
        if not isinstance(grantee, dict):  # an S3-compatible store's odd answer: no group
            continue
        group = GROUPS.get(str(grantee.get("URI") or ""))
        permission = str(grant.get("Permission") or "")
        if group and permission in PERMISSIONS:
            found.add((group, permission))
    return tuple(sorted(found))


def read_acl(client: Any, bucket: str) -> BucketAcl:
    """The bucket's ACL grants that take effect (one to three API calls)."""
    if _owner_enforced(client, bucket):
        return BucketAcl("disabled", (), "object ownership BucketOwnerEnforced: ACLs disabled")
    try:
        got = client.get_bucket_acl(Bucket=bucket)
    except Exception as exc:  # botocore's ClientError and connection errors
        return BucketAcl("unknown", (), error_code(exc) or type(exc).__name__)
    grants = public_grants(list(got.get("Grants", [])))
    if grants and _ignores_public(client, bucket):
        shown = ", ".join(f"{g} {p}" for g, p in grants)
        return BucketAcl("present", (), f"public grants ignored (IgnorePublicAcls): {shown}")
    return BucketAcl("present", grants, "account-level public access block not read")
