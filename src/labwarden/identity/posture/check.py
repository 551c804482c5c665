"""The posture check: every gap of a bucket is a finding on each of its assets, with its fix."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from labwarden.core.asset import Asset
from labwarden.core.check import Check, CheckContext
from labwarden.core.finding import Finding, Location
from labwarden.identity.posture.collect import BucketPosture, read_account_block, read_posture
from labwarden.identity.posture.interface import RULES
from labwarden.identity.posture.rules import gaps

log = logging.getLogger(__name__)


class BucketPostureCheck:
    """Bucket configuration of the assets an object-store scan found."""

    name = "posture"
    description = "object-store bucket posture: public access, encryption, versioning, logging"

    def __init__(
        self,
        client: Any,
        bucket: str,
        cloudtrail: Any = None,
        account: str = "",
        s3control: Any = None,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.cloudtrail = cloudtrail
        self.account = account
        self.s3control = s3control
        self._posture: BucketPosture | None = None

    def posture(self) -> BucketPosture:
        """The bucket's posture, with its account's public access block (read once)."""
        if self._posture is None:
            self._posture = read_posture(self.client, self.bucket, self.cloudtrail)
            read_account_block(self._posture, self.s3control, self.account)
        return self._posture

    def applies_to(self, asset: Asset) -> bool:
        """Assets of this bucket."""
        return asset.uri.startswith(f"s3://{self.bucket}/") or asset.uri == f"s3://{self.bucket}"

    def run(self, asset: Asset, context: CheckContext) -> Iterable[Finding]:
        """One finding per gap."""
        for gap in gaps(self.posture(), self.account):
            rule = RULES[gap.rule]
            severity = gap.severity or rule.severity
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
    return [
        BucketPostureCheck(
            client,
            bucket,
            client_like(client, "cloudtrail"),
            caller_account(client),
            client_like(client, "s3control"),
        )
    ]


def caller_account(s3: Any) -> str:
    """The account of the identity that scans (STS ``GetCallerIdentity`` at the same endpoint),
    which tells another account's principals in a bucket policy; empty when it cannot be asked
    (S3-compatible stores without STS, no permission)."""
    sts = client_like(s3, "sts")
    if sts is None:
        return ""
    try:
        return str(sts.get_caller_identity().get("Account") or "")
    except Exception as exc:  # botocore's errors: no STS there, no permission, no network
        log.info("cannot tell the scanning account: %s", exc)
        return ""


def client_like(s3: Any, service: str) -> Any:
    """A client of ``service`` (``cloudtrail``, ``sts``, ``s3control``) for the same endpoint,
    region and credentials as ``s3``; ``None`` without boto3."""
    try:
        import boto3
    except ImportError:
        return None
    meta = s3.meta
    custom = "amazonaws.com" not in meta.endpoint_url
    made = boto3.session.Session().client(
        service,
        endpoint_url=meta.endpoint_url if custom else None,
        region_name=meta.region_name,
    )
    if custom and service == "s3control":
        # S3 Control puts the account in the host name, which only AWS's endpoints resolve;
        # other servers (moto, LocalStack) read it from the x-amz-account-id header as well.
        hook = _host_without_account(meta.endpoint_url)
        made.meta.events.register("before-sign.s3-control", hook)
    return made


def _host_without_account(endpoint: str) -> Callable[..., None]:
    """A botocore hook that sends S3 Control requests to ``endpoint`` itself."""
    host = urlsplit(endpoint).netloc

    def rewrite(request: Any, **_: Any) -> None:
        parts = urlsplit(request.url)
        account, _, rest = parts.netloc.partition(".")
        if rest == host and account.isdigit():
            request.url = urlunsplit(parts._replace(netloc=host))

    return rewrite
