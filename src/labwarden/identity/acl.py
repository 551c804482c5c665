"""A bucket ACL's grants to everyone and to any AWS account, as resource-policy statements.

AWS maps each bucket ACL permission to policy actions (READ lists the bucket, WRITE creates,
overwrites and deletes its objects, READ_ACP and WRITE_ACP read and write the ACL,
FULL_CONTROL all four). A grant to ``AllUsers`` or ``AuthenticatedUsers`` allows every
principal of the account like a bucket policy statement with ``"Principal": "*"`` does, so
the access model judges it with the bucket policy: a listing or a write that only the ACL
allows is ``granted``, with the ACL named as the grant. Grants to one canonical user (the
owner, another account) do not widen what the account's own principals may do and are left
out; object ACLs are not read (one call per object).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from labwarden.core.errors import InputError
from labwarden.identity.policy import Policy, Statement, parse_statement

ACTIONS = {
    "READ": ("s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"),
    "WRITE": ("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"),
    "READ_ACP": ("s3:GetBucketAcl",),
    "WRITE_ACP": ("s3:PutBucketAcl",),
}
ACTIONS["FULL_CONTROL"] = tuple(a for actions in ACTIONS.values() for a in actions)


def acl_statements(bucket: str, grants_json: str) -> tuple[Statement, ...]:
    """The statements of the grants a scan kept (``[{"grantee", "permission"}]`` JSON)."""
    name = f"bucket ACL of {bucket} (as scanned)"
    try:
        grants = json.loads(grants_json)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"{name}: not JSON: {exc}") from None
    if not isinstance(grants, list):
        raise InputError(f"{name}: expected a list of grants")
    found = []
    for grant in grants:
        if not isinstance(grant, dict):
            raise InputError(f"{name}: a grant must be an object")
        grantee, permission = str(grant.get("grantee")), str(grant.get("permission"))
        if permission not in ACTIONS:
            raise InputError(f"{name}: unknown permission {permission!r}")
        raw = {
            "Sid": f"{grantee} {permission}",
            "Effect": "Allow",
            "Principal": "*",
            "Action": list(ACTIONS[permission]),
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        }
        found.append(parse_statement(raw, f"{name}#{grantee} {permission}"))
    return tuple(found)


def with_acls(policies: Mapping[str, Policy], acls: Mapping[str, str]) -> dict[str, Policy]:
    """Each bucket's resource policy with its ACL's statements added (a bucket with an ACL
    grant and no policy gets a policy of the ACL alone)."""
    merged = dict(policies)
    for bucket, grants in acls.items():
        statements = acl_statements(bucket, grants)
        if not statements:
            continue
        base = merged.get(bucket)
        if base is None:
            merged[bucket] = Policy(f"bucket ACL of {bucket}", "resource", statements)
        else:
            merged[bucket] = Policy(base.name, base.kind, base.statements + statements, base.arn)
    return merged
