"""Alerts for object-store accesses the policies never granted.

A read, write or delete that succeeded although nothing in the account's policies allows it
is an alert of its own (high): the logs prove the access, so either the credentials are used
from elsewhere (a stolen or shared key, another account's role), the policies changed outside
what we were given, or a grant we did not see allowed it (a bucket policy not read, an ACL).
The alert says which of these the evidence at hand supports, and what would settle it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa

from labwarden.core.values import Sensitivity, Severity
from labwarden.engines.interface import Engine, EngineError
from labwarden.identity.grants import PRINCIPAL, Access
from labwarden.identity.model import AccessModel
from labwarden.identity.verdicts import NEVER
from labwarden.store.alerts import AlertRecord
from labwarden.watch.alerting import risk_parts, role_of
from labwarden.watch.detect.run import EVIDENCE_COLUMNS

log = logging.getLogger(__name__)

RULE_ID = "labwarden-iam-never-granted"
RULE_TITLE = "Object-store access its policies never granted"
KIND = "detection"
"""The alerts table knows detections, correlations and analytics: this is a detection."""
EVIDENCE = 20

POLICY_CHANGES = (
    "PutUserPolicy",
    "PutRolePolicy",
    "PutGroupPolicy",
    "AttachUserPolicy",
    "AttachRolePolicy",
    "AttachGroupPolicy",
    "DetachUserPolicy",
    "DetachRolePolicy",
    "DetachGroupPolicy",
    "DeleteUserPolicy",
    "DeleteRolePolicy",
    "DeleteGroupPolicy",
    "CreatePolicyVersion",
    "SetDefaultPolicyVersion",
    "AddUserToGroup",
    "RemoveUserFromGroup",
    "UpdateAssumeRolePolicy",
    "PutUserPermissionsBoundary",
    "PutRolePermissionsBoundary",
    "DeleteUserPermissionsBoundary",
    "DeleteRolePermissionsBoundary",
    "PutBucketPolicy",
    "DeleteBucketPolicy",
    "PutBucketAcl",
    "PutObjectAcl",
)
"""Management events that change who may reach a bucket."""


def fingerprint(item: Access) -> str:
    """One alert per principal (and identity), bucket, kind of access and day."""
    key = (
        f"{RULE_ID}|{item.principal}|{item.identity}|{item.bucket}|{item.access}|"
        f"{item.day.isoformat()}"
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def policy_changes(con: Engine) -> list[dict[str, Any]]:
    """Policy and ACL changes the lake holds (management events), oldest first."""
    names = pa.table({"op": pa.array(POLICY_CHANGES, pa.string())})
    # A failed query raises: "the lake holds no policy change" must never stand for "unread".
    with con.registered("lw_policy_ops", names):
        rows: list[dict[str, Any]] = con.table(
            f"SELECT time, api_operation AS operation, {PRINCIPAL} AS who, "  # noqa: S608
            "resource_bucket AS bucket, resource_uri AS resource FROM events "
            "WHERE api_operation IN (SELECT op FROM lw_policy_ops) "
            "AND coalesce(status, 'success') = 'success' ORDER BY time LIMIT 200"
        ).to_pylist()
    return rows


def explanations(item: Access, model: AccessModel, changes: Sequence[dict[str, Any]]) -> list[str]:
    """What could explain the access, each with the evidence for or against it."""
    found = []
    if item.bucket not in model.bucket_policies:
        found.append(
            f"a resource policy we did not see: no bucket policy of {item.bucket} was given or "
            f"scanned (`--bucket-policy {item.bucket}=FILE`, or `labwarden scan "
            f"s3://{item.bucket}`, which also reads its ACL); object ACLs are not evaluated"
        )
    else:
        found.append(
            f"the bucket policy of {item.bucket} (with its ACL's grants when scanned) was read "
            "and grants it nothing; object ACLs are not evaluated"
        )
    relevant = [
        c for c in changes if c.get("bucket") in (None, item.bucket) and c["time"] <= item.last
    ]
    if relevant:
        shown = "; ".join(
            f"{c['time'].isoformat(timespec='seconds')} {c['operation']} by {c['who'] or '?'}"
            for c in relevant[-3:]
        )
        found.append(
            f"a policy change not in view: the lake holds {len(relevant)} policy changes up to "
            f"this access ({shown}); export the authorization details again and compare"
        )
    else:
        found.append(
            "a policy change not in view: the lake holds no policy change (Put/Attach/"
            "CreatePolicyVersion, PutBucketPolicy...) up to this access; if it holds the "
            "account's management events, the policies did not change in its window"
        )
    keys = ", ".join(item.keys) or "no access key recorded"
    addresses = ", ".join(item.addresses[:5]) or "no address recorded"
    found.append(
        f"credentials used from elsewhere: access keys {keys} from {addresses}; if the "
        "policies are current and no resource policy grants it, these credentials reached "
        "data their principal may not: treat them as stolen or misused"
    )
    return found


def _evidence(con: Engine, item: Access) -> list[dict[str, Any]]:
    present = set(con.columns("events"))
    columns = ", ".join(c for c in EVIDENCE_COLUMNS if c in present)
    # Plain parameters only (no list parameter, no cast of one), which every engine binds.
    operations = {f"op{i}": op for i, op in enumerate(item.operations)}
    start = datetime.combine(item.day, datetime.min.time(), tzinfo=UTC)
    try:
        rows: list[dict[str, Any]] = con.table(
            f"SELECT {columns} FROM events WHERE {PRINCIPAL} = $p "  # noqa: S608
            "AND ($u IS NULL OR actor_uid = $u) AND resource_bucket = $b "
            f"AND api_operation IN ({', '.join(f'${name}' for name in operations) or 'NULL'}) "
            "AND time >= $start AND time < $end "
            "AND coalesce(status, 'success') = 'success' "
            f"ORDER BY time, event_uid LIMIT {EVIDENCE}",
            {
                "p": item.principal,
                "u": item.uid,
                "b": item.bucket,
                **operations,
                "start": start,
                "end": start + timedelta(days=1),
            },
        ).to_pylist()
    except EngineError as exc:
        log.warning("no evidence for %s on %s: %s", item.principal, item.bucket, exc)
        return []
    for row in rows:
        if row.get("time") is not None:
            row["time"] = row["time"].isoformat()
    return rows


def record_of(
    item: Access, con: Engine, model: AccessModel, changes: Sequence[dict[str, Any]]
) -> AlertRecord:
    """The alert of one never-granted access."""
    sensitivity = Sensitivity.parse(item.sensitivity) if item.sensitivity else None
    parts = risk_parts("high", sensitivity)
    evidence = _evidence(con, item)
    return AlertRecord(
        fingerprint=fingerprint(item),
        rule_id=RULE_ID,
        rule_title=RULE_TITLE,
        rule_path="",
        kind=KIND,
        severity=Severity.HIGH,
        tags=["labwarden.identity", "attack.t1078", "attack.t1530"],
        group={
            "principal": item.principal,
            "identity": item.identity,
            "bucket": item.bucket,
            "access": item.access,
            "day": item.day.isoformat(),
        },
        principal=item.principal,
        first_seen=item.first.isoformat(),
        last_seen=item.last.isoformat(),
        event_count=item.events,
        asset_id=None,
        assets=sorted({str(e["asset_name"]) for e in evidence if e.get("asset_name")})
        or [f"s3://{item.bucket}"],
        sensitivity=sensitivity.value if sensitivity else None,
        risk=int(parts["risk"]),
        detail={
            "risk": parts,
            **({"role": role} if (role := role_of(evidence)) else {}),
            "grant": item.to_dict(),
            "explanations": explanations(item, model, changes),
        },
        evidence=evidence,
    )


def never_granted(accesses: Sequence[Access], con: Engine, model: AccessModel) -> list[AlertRecord]:
    """An alert for every never-granted access (``con`` has the ``events`` view)."""
    wanted = [a for a in accesses if a.verdict == NEVER]
    changes = policy_changes(con) if wanted else []
    return [record_of(a, con, model, changes) for a in wanted]
