"""``iam uses``: what the lake shows principals doing to buckets, against what they may do.

Each (principal, bucket, operation) of the lake's successful object-store events is judged by
the access model: ``granted`` (its policies allow it), ``undecided`` (allowed if conditions we
cannot evaluate held) or ``never granted`` (the logs show it succeeding, yet nothing in the
account's policies allows it: a grant outside the file such as an ACL or another account's
role, a model out of date, or credentials used by someone else). ``first`` tells when the lake
first saw the principal do it: a first read of a bucket it was always allowed to read reads
differently from a read it was never granted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labwarden.core.errors import InputError
from labwarden.engines.duckdb import connect
from labwarden.engines.interface import Engine, EngineError
from labwarden.identity.reach import ModelAccess
from labwarden.identity.verdicts import NOT_JUDGED, VERDICT_OF

# CloudTrail event names whose IAM action has another name.
_ACTIONS = {
    "listobjects": "s3:ListBucket",
    "listobjectsv2": "s3:ListBucket",
    "listobjectversions": "s3:ListBucketVersions",
    "headobject": "s3:GetObject",
    "headbucket": "s3:ListBucket",
    "copyobject": "s3:PutObject",
    "uploadpart": "s3:PutObject",
    "createmultipartupload": "s3:PutObject",
    "completemultipartupload": "s3:PutObject",
    "deleteobjects": "s3:DeleteObject",
}
_BUCKET_LEVEL = {"s3:ListBucket", "s3:ListBucketVersions"}
_QUERY = (
    "SELECT actor_user AS principal, actor_uid AS uid, actor_role AS role, "
    "resource_bucket AS bucket, "
    "api_operation AS operation, "
    "count(*) AS events, min(time) AS first, max(time) AS last, min(resource_key) AS sample "
    "FROM events WHERE resource_bucket IS NOT NULL AND actor_user IS NOT NULL "
    "AND api_operation IS NOT NULL AND coalesce(status, 'success') = 'success' "
    "GROUP BY ALL ORDER BY principal, bucket, operation"
)


@dataclass(frozen=True, slots=True)
class Use:
    """One principal's use of one bucket, judged."""

    principal: str
    bucket: str
    operation: str
    action: str
    events: int
    first: str
    last: str
    verdict: str
    """``granted``, ``undecided``, ``never granted`` or ``not judged``
    (:mod:`labwarden.identity.verdicts`)."""
    why: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "principal": self.principal,
            "bucket": self.bucket,
            "operation": self.operation,
            "action": self.action,
            "events": self.events,
            "first": self.first,
            "last": self.last,
            "verdict": self.verdict,
            "why": self.why,
        }


def action_of(operation: str) -> str:
    """The IAM action an S3 API operation needs."""
    return _ACTIONS.get(operation.lower(), f"s3:{operation}")


def _judge(access: ModelAccess, row: dict[str, Any]) -> Use:
    action = action_of(str(row["operation"]))
    bucket = str(row["bucket"])
    if action in _BUCKET_LEVEL or not row.get("sample"):
        resource, prefix = f"arn:aws:s3:::{bucket}", action not in _BUCKET_LEVEL
        if prefix:
            resource += "/"
    else:
        resource, prefix = f"arn:aws:s3:::{bucket}/{row['sample']}", False
    name = str(row["principal"])
    principal, why = access.resolve_actor(row.get("uid"), row.get("role"), name)
    if principal is None:
        verdict = NOT_JUDGED
    else:
        decision = access.model.may(principal, action, resource, prefix=prefix)
        verdict = VERDICT_OF[decision.outcome]
        why = decision.reason().replace("\n", "; ").replace("- ", "")
    return Use(
        name,
        bucket,
        str(row["operation"]),
        action,
        int(row["events"]),
        str(row["first"]),
        str(row["last"]),
        verdict,
        why,
    )


def bucket_uses(access: ModelAccess, lake: Path, engine: Engine | None = None) -> list[Use]:
    """Every (principal, bucket, operation) of the lake, judged by the access model."""
    own = engine is None
    con = engine or connect()
    try:
        con.events_view(lake)
        rows = con.table(_QUERY).to_pylist()
    except EngineError as exc:
        raise InputError(f"{lake}: cannot read the event lake: {exc}") from exc
    finally:
        if own:
            con.close()
    return [_judge(access, row) for row in rows]
