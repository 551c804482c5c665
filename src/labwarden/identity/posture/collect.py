"""Read a bucket's configuration through the S3 API (and CloudTrail's event selectors)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

_ABSENT = {
    "NoSuchPublicAccessBlockConfiguration",
    "NoSuchBucketPolicy",
    "ServerSideEncryptionConfigurationNotFoundError",
    "ObjectLockConfigurationNotFoundError",
    "NoSuchLifecycleConfiguration",
}


@dataclass(slots=True)
class BucketPosture:
    """What the API said about one bucket; ``None`` where a setting is absent."""

    bucket: str
    public_access_block: dict[str, bool] | None = None
    account_public_access_block: dict[str, bool] | None = None
    """The owner account's block (S3 Control), which applies to every bucket of the account."""
    policy: str | None = None
    acl_grants: list[dict[str, Any]] = field(default_factory=list)
    encryption: list[dict[str, Any]] | None = None
    versioning: str = ""
    object_lock: dict[str, Any] | None = None
    lifecycle: list[dict[str, Any]] = field(default_factory=list)
    logging: dict[str, Any] | None = None
    data_events: bool | None = None
    """Whether a trail logs the bucket's data events; ``None`` when that could not be read."""
    unknown: list[str] = field(default_factory=list)
    """Settings that could not be read, with why."""


def _call(posture: BucketPosture, what: str, call: Callable[[], Any]) -> Any:
    """The response, ``None`` when the setting is absent; errors are noted in ``unknown``."""
    try:
        return call()
    except Exception as exc:  # botocore ClientError and friends
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
        if code in _ABSENT:
            return None
        posture.unknown.append(f"{what}: {code}")
        log.info("%s: %s: %s", posture.bucket, what, exc)
        return None


def read_posture(client: Any, bucket: str, cloudtrail: Any = None) -> BucketPosture:
    """Everything :mod:`rules` judges, read with one call per setting."""
    p = BucketPosture(bucket)
    got = _call(p, "public access block", lambda: client.get_public_access_block(Bucket=bucket))
    if got is not None:
        p.public_access_block = dict(got["PublicAccessBlockConfiguration"])
    got = _call(p, "bucket policy", lambda: client.get_bucket_policy(Bucket=bucket))
    p.policy = got["Policy"] if got is not None else None
    got = _call(p, "ACL", lambda: client.get_bucket_acl(Bucket=bucket))
    p.acl_grants = list(got.get("Grants", [])) if got is not None else []
    got = _call(p, "encryption", lambda: client.get_bucket_encryption(Bucket=bucket))
    if got is not None:
        p.encryption = list(got["ServerSideEncryptionConfiguration"].get("Rules", []))
    got = _call(p, "versioning", lambda: client.get_bucket_versioning(Bucket=bucket))
    p.versioning = str(got.get("Status", "")) if got is not None else ""
    got = _call(p, "Object Lock", lambda: client.get_object_lock_configuration(Bucket=bucket))
    p.object_lock = got.get("ObjectLockConfiguration") if got is not None else None
    got = _call(p, "lifecycle", lambda: client.get_bucket_lifecycle_configuration(Bucket=bucket))
    p.lifecycle = list(got.get("Rules", [])) if got is not None else []
    got = _call(p, "access logging", lambda: client.get_bucket_logging(Bucket=bucket))
    p.logging = got.get("LoggingEnabled") if got is not None else None
    if cloudtrail is not None:
        p.data_events = _data_events(p, cloudtrail, bucket)
    return p


def read_account_block(posture: BucketPosture, s3control: Any, account: str) -> None:
    """Add the account's public access block to ``posture`` (nothing where the account is
    unknown: stores without STS have no account-level block)."""
    if s3control is None or not account:
        return
    got = _call(
        posture,
        "account public access block",
        lambda: s3control.get_public_access_block(AccountId=account),
    )
    if got is not None:
        posture.account_public_access_block = dict(got["PublicAccessBlockConfiguration"])


def _data_events(p: BucketPosture, cloudtrail: Any, bucket: str) -> bool | None:
    trails = _call(p, "CloudTrail trails", cloudtrail.describe_trails)
    if trails is None:
        return None
    for trail in trails.get("trailList", []):
        arn = trail.get("TrailARN")

        def selectors_of(name: str = arn) -> Any:
            return cloudtrail.get_event_selectors(TrailName=name)

        selectors = _call(p, "CloudTrail selectors", selectors_of)
        if selectors is not None and covers_bucket(selectors, bucket):
            return True
    return False


def covers_bucket(selectors: dict[str, Any], bucket: str) -> bool:
    """Whether basic or advanced event selectors log data events of ``bucket``."""
    for selector in selectors.get("EventSelectors", []) or []:
        for resource in selector.get("DataResources", []):
            if resource.get("Type") != "AWS::S3::Object":
                continue
            for value in resource.get("Values", []):
                if value in ("arn:aws:s3", "arn:aws:s3:::") or value.startswith(
                    f"arn:aws:s3:::{bucket}/"
                ):
                    return True
    for selector in selectors.get("AdvancedEventSelectors", []) or []:
        fields = {f.get("Field"): f for f in selector.get("FieldSelectors", [])}
        category = fields.get("eventCategory", {}).get("Equals", [])
        kind = fields.get("resources.type", {}).get("Equals", [])
        if "Data" not in category or "AWS::S3::Object" not in kind:
            continue
        arns = fields.get("resources.ARN")
        if arns is None:
            return True
        prefixes = arns.get("StartsWith", []) + arns.get("Equals", [])
        if any(
            f"arn:aws:s3:::{bucket}/".startswith(x) or x.startswith(f"arn:aws:s3:::{bucket}/")
            for x in prefixes
        ):
            return True
    return False
