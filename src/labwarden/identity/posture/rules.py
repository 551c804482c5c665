"""Judge a :class:`BucketPosture`: each gap is a rule id with its detail and evidence."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from labwarden.core.errors import InputError
from labwarden.core.values import Severity
from labwarden.identity.policy import DENY, parse_document
from labwarden.identity.posture.collect import BucketPosture

_PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)
_EXPIRING = ("Expiration", "NoncurrentVersionExpiration")
BLOCK_SETTINGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)


@dataclass(frozen=True, slots=True)
class Gap:
    """One rule the bucket breaks."""

    rule: str
    detail: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    severity: Severity | None = None
    """Where this bucket's gap is worse or milder than the rule's own severity."""


def blocked_by(posture: BucketPosture) -> dict[str, str]:
    """Each public-access setting -> where it is on (``bucket`` or ``account``; AWS applies
    the stricter of the two), ``""`` where neither turns it on."""
    levels = (
        ("bucket", posture.public_access_block or {}),
        ("account", posture.account_public_access_block or {}),
    )
    return {key: next((lv for lv, block in levels if block.get(key)), "") for key in BLOCK_SETTINGS}


def gaps(posture: BucketPosture, account: str = "") -> Iterator[Gap]:
    """Every gap of the bucket, in a fixed order."""
    blocked = blocked_by(posture)
    off = [key for key, level in blocked.items() if not level]
    if off:
        yield Gap(
            "public-access-block",
            f"off: {', '.join(off)}",
            {
                "configuration": posture.public_access_block or {},
                "account": posture.account_public_access_block or {},
                "off": off,
            },
        )
    yield from _policy_gaps(posture, account, blocked["RestrictPublicBuckets"])
    public = [g for g in posture.acl_grants if g.get("Grantee", {}).get("URI") in _PUBLIC_GROUPS]
    if public and blocked["IgnorePublicAcls"]:
        yield Gap(
            "public-acl",
            f"ignored by IgnorePublicAcls ({blocked['IgnorePublicAcls']}): a risk only if the "
            "block is lifted",
            {"grants": public},
            Severity.LOW,
        )
    elif public:
        yield Gap("public-acl", evidence={"grants": public})
    yield from _storage_gaps(posture)
    if posture.logging is None:
        yield Gap("no-access-logging")
    if posture.data_events is False:
        yield Gap("no-data-events")
    if posture.unknown:
        yield Gap("posture-unknown", "; ".join(posture.unknown), {"unknown": posture.unknown})


def _storage_gaps(posture: BucketPosture) -> Iterator[Gap]:
    if posture.encryption is None:
        yield Gap("no-default-encryption")
    else:
        algorithms = [
            r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm", "")
            for r in posture.encryption
        ]
        if not any(a.startswith("aws:kms") for a in algorithms):
            yield Gap("no-kms-key", evidence={"algorithms": algorithms})
    if posture.versioning != "Enabled":
        yield Gap("no-versioning", evidence={"status": posture.versioning or "never enabled"})
    if posture.object_lock is None or posture.object_lock.get("ObjectLockEnabled") != "Enabled":
        yield Gap("no-object-lock")
    expiring = [
        r.get("ID", "")
        for r in posture.lifecycle
        if r.get("Status") == "Enabled" and any(k in r for k in _EXPIRING)
    ]
    if expiring:
        yield Gap("lifecycle-deletes-versions", f"rules {', '.join(expiring)}", {"rules": expiring})


def _policy_gaps(posture: BucketPosture, account: str, restricted: str) -> Iterator[Gap]:
    """Gaps of the bucket policy; ``restricted`` says where ``RestrictPublicBuckets`` is on."""
    if posture.policy is None:
        yield Gap("no-tls-enforcement")
        return
    try:
        policy = parse_document(posture.policy, f"bucket policy of {posture.bucket}", "resource")
    except InputError as exc:
        yield Gap("posture-unknown", exc.message)
        return
    tls = False
    unjudged: set[str] = set()
    for statement in policy.statements:
        named = (
            ()
            if statement.principals is None
            else (statement.principals.get("AWS", ()) + statement.principals.get("*", ()))
        )
        if statement.effect == DENY:
            tls = tls or any(c.key.lower() == "aws:securetransport" for c in statement.conditions)
            continue
        conditions = [str(c) for c in statement.conditions]
        if "*" in named:
            yield _public(statement.origin, conditions, restricted)
        unjudged.update(n for n in named if n != "*" and not account)
        outsiders = sorted({n for n in named if n != "*" and account and account not in n})
        if outsiders:
            yield Gap(
                "cross-account-policy",
                ", ".join(outsiders),
                {"principals": outsiders, "statement": statement.origin},
            )
    if unjudged:
        yield Gap(
            "posture-unknown",
            "the scanning account is unknown (no STS at this endpoint): the principals the "
            "bucket policy names are not judged cross-account or not",
            {"principals": sorted(unjudged)},
        )
    if not tls:
        yield Gap("no-tls-enforcement")


def _public(origin: str, conditions: list[str], restricted: str) -> Gap:
    """A statement that names everyone: critical, high when limited by conditions, low while
    ``RestrictPublicBuckets`` confines it to the owner account and AWS services."""
    evidence = {"statement": origin, "conditions": conditions}
    if restricted:
        return Gap(
            "public-policy",
            f"restricted by RestrictPublicBuckets ({restricted}): only the owner account and AWS "
            "services can use it while the block stays on",
            evidence,
            Severity.LOW,
        )
    if conditions:
        return Gap("public-policy", f"if {'; '.join(conditions)}", evidence, Severity.HIGH)
    return Gap("public-policy", "", evidence)
