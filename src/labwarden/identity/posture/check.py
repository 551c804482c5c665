"""The posture check: every gap of a bucket is a finding on each of its assets, with its fix."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from labwarden.core.asset import Asset
from labwarden.core.check import Check, CheckContext
from labwarden.core.finding import Finding, Location
from labwarden.core.values import Severity
from labwarden.identity.posture.collect import BucketPosture, read_posture
from labwarden.identity.posture.interface import RULES
from labwarden.identity.posture.rules import gaps

log = logging.getLogger(__name__)


class BucketPostureCheck:
    """Bucket configuration of the assets an object-store scan found."""

    name = "posture"
    description = "object-store bucket posture: public access, encryption, versioning, logging"

    def __init__(self, client: Any, bucket: str, cloudtrail: Any = None, account: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.cloudtrail = cloudtrail
        self.account = account
        self._posture: BucketPosture | None = None

    def posture(self) -> BucketPosture:
        """The bucket's posture (read once)."""
        if self._posture is None:
            self._posture = read_posture(self.client, self.bucket, self.cloudtrail)
        return self._posture

    def applies_to(self, asset: Asset) -> bool:
        """Assets of this bucket."""
        return asset.uri.startswith(f"s3://{self.bucket}/") or asset.uri == f"s3://{self.bucket}"

    def run(self, asset: Asset, context: CheckContext) -> Iterable[Finding]:
        """One finding per gap."""
        for gap in gaps(self.posture(), self.account):
            rule = RULES[gap.rule]
            severity = rule.severity
            if gap.rule == "public-policy" and gap.detail:
                severity = Severity.HIGH  # conditional: limited by conditions we cannot judge
            message = f"s3://{self.bucket}: {rule.title}" + (
                f" ({gap.detail})" if gap.detail else ""
            )
            yield Finding(
                self.name,
                gap.rule,
                severity,
                Location(asset.uri),
                message,
                rule.remediation.replace("BUCKET", self.bucket),
                {"bucket": self.bucket, **gap.evidence},
            )


def source_checks(source: object) -> list[Check]:
    """The checks a source brings: the posture of an S3 source's bucket."""
    client = getattr(source, "client", None)
    bucket = getattr(source, "bucket", None)
    if client is None or not isinstance(bucket, str):
        return []
    return [BucketPostureCheck(client, bucket, cloudtrail_client(client), caller_account(client))]


def caller_account(s3: Any) -> str:
    """The account of the identity that scans (STS ``GetCallerIdentity`` at the same endpoint),
    which tells another account's principals in a bucket policy; empty when it cannot be asked
    (S3-compatible stores without STS, no permission)."""
    try:
        import boto3
    except ImportError:
        return ""
    meta = s3.meta
    try:
        sts = boto3.session.Session().client(
            "sts",
            endpoint_url=meta.endpoint_url if "amazonaws.com" not in meta.endpoint_url else None,
            region_name=meta.region_name,
        )
        return str(sts.get_caller_identity().get("Account") or "")
    except Exception as exc:  # botocore's errors: no STS there, no permission, no network
        log.info("cannot tell the scanning account: %s", exc)
        return ""


def cloudtrail_client(s3: Any) -> Any:
    """A CloudTrail client for the same endpoint, region and credentials as ``s3``."""
    try:
        import boto3
    except ImportError:
        return None
    meta = s3.meta
    return boto3.session.Session().client(
        "cloudtrail",
        endpoint_url=meta.endpoint_url if "amazonaws.com" not in meta.endpoint_url else None,
        region_name=meta.region_name,
    )
