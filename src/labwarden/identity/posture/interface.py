"""The posture rules as data: id, severity, what is wrong, how to fix it (Prowler's layout)."""

from __future__ import annotations

from dataclasses import dataclass

from labwarden.core.values import Severity


@dataclass(frozen=True, slots=True)
class Rule:
    """One posture rule."""

    id: str
    severity: Severity
    title: str
    remediation: str


RULES = {
    r.id: r
    for r in (
        Rule(
            "public-access-block",
            Severity.MEDIUM,
            "the bucket does not block public access (all four settings)",
            "aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration "
            "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
        ),
        Rule(
            "public-policy",
            Severity.CRITICAL,
            "the bucket policy grants access to anyone",
            'Remove the statement with Principal "*", or limit it with aws:PrincipalOrgID.',
        ),
        Rule(
            "cross-account-policy",
            Severity.MEDIUM,
            "the bucket policy grants access to another account",
            "Keep cross-account grants to named roles that need them; review them regularly.",
        ),
        Rule(
            "public-acl",
            Severity.CRITICAL,
            "the bucket ACL grants access to all or authenticated users",
            "aws s3api put-bucket-ownership-controls --bucket BUCKET --ownership-controls "
            "Rules=[{ObjectOwnership=BucketOwnerEnforced}] (disables ACLs)",
        ),
        Rule(
            "no-tls-enforcement",
            Severity.LOW,
            "the bucket policy does not deny requests without TLS",
            "Add a Deny statement for all principals with Bool aws:SecureTransport false.",
        ),
        Rule(
            "no-default-encryption",
            Severity.MEDIUM,
            "the bucket has no default encryption",
            "aws s3api put-bucket-encryption with SSE-KMS and a customer-managed key.",
        ),
        Rule(
            "no-kms-key",
            Severity.LOW,
            "default encryption uses S3-managed keys, not a KMS key you control",
            "Use SSE-KMS with a customer-managed key, so key policy and CloudTrail show each use.",
        ),
        Rule(
            "no-versioning",
            Severity.MEDIUM,
            "versioning is off: an overwritten or deleted model or dataset cannot be recovered",
            "aws s3api put-bucket-versioning --bucket BUCKET "
            "--versioning-configuration Status=Enabled",
        ),
        Rule(
            "no-object-lock",
            Severity.LOW,
            "no Object Lock: versions (model backups) can be deleted by anyone allowed to",
            "Enable Object Lock (governance or compliance mode) on buckets holding releases "
            "and backups.",
        ),
        Rule(
            "lifecycle-deletes-versions",
            Severity.MEDIUM,
            "a lifecycle rule expires objects or old versions",
            "Check that expiring rules do not cover models, datasets or trial data you must keep.",
        ),
        Rule(
            "no-access-logging",
            Severity.MEDIUM,
            "server access logging is off: reads of the bucket leave no log",
            "aws s3api put-bucket-logging to a separate log bucket, or CloudTrail data events.",
        ),
        Rule(
            "no-data-events",
            Severity.MEDIUM,
            "no CloudTrail trail records S3 data events for the bucket: reads are invisible",
            "Add an event selector for the bucket's data events (GetObject, PutObject, "
            "DeleteObject).",
        ),
        Rule(
            "posture-unknown",
            Severity.INFO,
            "part of the bucket's posture could not be read",
            "Give the scanning identity s3:GetBucket* and cloudtrail:GetEventSelectors.",
        ),
    )
}
