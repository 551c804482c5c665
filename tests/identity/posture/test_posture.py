"""Bucket posture read from a real S3 API (moto's server) and judged."""

from __future__ import annotations

import json
import uuid
from typing import Any

from labwarden.core.asset import Asset
from labwarden.core.check import CheckContext
from labwarden.core.values import AssetKind, Severity
from labwarden.identity.posture.check import BucketPostureCheck
from labwarden.identity.posture.collect import covers_bucket
from tests.s3server import client


def new_bucket(s3: Any) -> str:
    name = f"lab-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def findings(endpoint: str, name: str, cloudtrail: Any = None) -> dict[str, Severity]:
    check = BucketPostureCheck(client(endpoint), name, cloudtrail, account="123456789012")
    asset = Asset(f"s3://{name}/models/bert", "bert", AssetKind.MODEL)
    assert check.applies_to(asset)
    return {f.rule: f.severity for f in check.run(asset, CheckContext())}


def test_a_bare_bucket_has_every_gap(s3_endpoint: str) -> None:
    s3 = client(s3_endpoint)
    name = new_bucket(s3)
    s3.delete_bucket_encryption(Bucket=name)  # moto (like AWS) encrypts by default
    found = findings(s3_endpoint, name, client(s3_endpoint, "cloudtrail"))
    assert set(found) >= {
        "public-access-block",
        "no-tls-enforcement",
        "no-versioning",
        "no-object-lock",
        "no-access-logging",
        "no-data-events",
    }
    assert "public-policy" not in found


def test_a_hardened_bucket_has_none(s3_endpoint: str) -> None:
    s3 = client(s3_endpoint)
    name = new_bucket(s3)
    logs = new_bucket(s3)
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": "k",
                    }
                }
            ]
        },
    )
    tls = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(tls))
    s3.put_bucket_acl(Bucket=logs, ACL="log-delivery-write")
    s3.put_bucket_logging(
        Bucket=name,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": logs, "TargetPrefix": "x/"}},
    )
    found = findings(s3_endpoint, name)
    assert set(found) == {"no-object-lock"}


def test_public_and_cross_account_policies_and_acls(s3_endpoint: str) -> None:
    s3 = client(s3_endpoint)
    name = new_bucket(s3)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
            },
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                "Action": "s3:ListBucket",
                "Resource": f"arn:aws:s3:::{name}",
            },
        ],
    }
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    s3.put_bucket_acl(Bucket=name, ACL="public-read")
    s3.put_bucket_lifecycle_configuration(
        Bucket=name,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "purge",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
                }
            ]
        },
    )
    found = findings(s3_endpoint, name)
    assert found["public-policy"] is Severity.CRITICAL
    assert found["cross-account-policy"] is Severity.MEDIUM
    assert found["public-acl"] is Severity.CRITICAL
    assert "lifecycle-deletes-versions" in found


def test_event_selectors() -> None:
    basic = {
        "EventSelectors": [
            {"DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::models/"]}]}
        ]
    }
    assert covers_bucket(basic, "models") and not covers_bucket(basic, "other")
    everything = {
        "EventSelectors": [
            {"DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}
        ]
    }
    assert covers_bucket(everything, "any")
    advanced = {
        "AdvancedEventSelectors": [
            {
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                    {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::models/"]},
                ]
            }
        ]
    }
    assert covers_bucket(advanced, "models") and not covers_bucket(advanced, "other")


def _cross_account_bucket(endpoint: str) -> str:
    s3 = client(endpoint)
    name = new_bucket(s3)
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{name}/*",
    }
    s3.put_bucket_policy(
        Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )
    return name


def test_a_scan_learns_its_account_to_tell_cross_account_grants(s3_endpoint: str) -> None:
    from labwarden.identity.posture.check import caller_account, source_checks
    from labwarden.inventory.sources.s3 import S3Source

    name = _cross_account_bucket(s3_endpoint)
    source = S3Source(f"s3://{name}", endpoint_url=s3_endpoint)
    assert caller_account(source.client) == "123456789012"  # moto's account, from STS
    (check,) = source_checks(source)
    asset = Asset(f"s3://{name}/models/bert", "bert", AssetKind.MODEL)
    found = {f.rule: f for f in check.run(asset, CheckContext())}
    assert found["cross-account-policy"].evidence["principals"] == [
        "arn:aws:iam::999999999999:root"
    ]
    assert "posture-unknown" not in found


def test_an_unknown_account_is_said_not_guessed(s3_endpoint: str) -> None:
    name = _cross_account_bucket(s3_endpoint)
    check = BucketPostureCheck(client(s3_endpoint), name, None, account="")
    asset = Asset(f"s3://{name}/models/bert", "bert", AssetKind.MODEL)
    found = {f.rule: f for f in check.run(asset, CheckContext())}
    assert "cross-account-policy" not in found
    assert "not judged cross-account" in found["posture-unknown"].message


_ALL_ON = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def _public_bucket(s3: Any) -> str:
    name = new_bucket(s3)
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{name}/*",
    }
    s3.put_bucket_policy(
        Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )
    s3.put_bucket_acl(Bucket=name, ACL="public-read")
    return name


def test_the_account_block_covers_every_bucket_and_tames_public_grants(s3_endpoint: str) -> None:
    from labwarden.identity.posture.check import client_like, source_checks
    from labwarden.inventory.sources.s3 import S3Source

    s3 = client(s3_endpoint)
    name = _public_bucket(s3)
    source = S3Source(f"s3://{name}", endpoint_url=s3_endpoint)
    control = client_like(source.client, "s3control")
    asset = Asset(f"s3://{name}/models/bert", "bert", AssetKind.MODEL)
    (before,) = source_checks(source)
    open_ = {f.rule: f for f in before.run(asset, CheckContext())}
    assert open_["public-policy"].severity is Severity.CRITICAL
    assert open_["public-acl"].severity is Severity.CRITICAL
    assert "RestrictPublicBuckets" in open_["public-access-block"].message
    # The account-wide block is account state on the shared test server: undone below.
    control.put_public_access_block(
        AccountId="123456789012", PublicAccessBlockConfiguration=_ALL_ON
    )
    try:
        (after,) = source_checks(source)
        blocked = {f.rule: f for f in after.run(asset, CheckContext())}
    finally:
        control.delete_public_access_block(AccountId="123456789012")
    assert "public-access-block" not in blocked  # the bucket has none of its own
    assert blocked["public-policy"].severity is Severity.LOW
    assert "RestrictPublicBuckets (account)" in blocked["public-policy"].message
    assert blocked["public-acl"].severity is Severity.LOW
    assert "IgnorePublicAcls (account)" in blocked["public-acl"].message
    assert "posture-unknown" not in blocked


def test_bucket_and_account_blocks_add_up_setting_by_setting() -> None:
    from labwarden.identity.posture.collect import BucketPosture
    from labwarden.identity.posture.rules import blocked_by, gaps

    posture = BucketPosture("b")
    posture.public_access_block = {**_ALL_ON, "RestrictPublicBuckets": False}
    posture.account_public_access_block = {
        "BlockPublicAcls": False,
        "IgnorePublicAcls": False,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": True,
    }
    assert blocked_by(posture) == {
        "BlockPublicAcls": "bucket",
        "IgnorePublicAcls": "bucket",
        "BlockPublicPolicy": "bucket",
        "RestrictPublicBuckets": "account",
    }
    assert "public-access-block" not in {g.rule for g in gaps(posture, "1")}
    posture.account_public_access_block = None
    (gap,) = [g for g in gaps(posture, "1") if g.rule == "public-access-block"]
    assert gap.evidence["off"] == ["RestrictPublicBuckets"]


def test_a_denied_account_block_is_unknown_not_open(s3_endpoint: str) -> None:
    from labwarden.identity.posture.collect import BucketPosture, read_account_block

    class Denied:
        def get_public_access_block(self, **_: Any) -> Any:
            from botocore.exceptions import ClientError

            error = {"Error": {"Code": "AccessDenied", "Message": "no"}}
            raise ClientError(error, "GetPublicAccessBlock")

    posture = BucketPosture("b")
    read_account_block(posture, Denied(), "123456789012")
    assert posture.account_public_access_block is None
    assert posture.unknown == ["account public access block: AccessDenied"]
    read_account_block(posture, Denied(), "")  # no account (no STS): nothing asked
    assert posture.unknown == ["account public access block: AccessDenied"]
