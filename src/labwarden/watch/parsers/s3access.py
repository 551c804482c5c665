"""Amazon S3 server access logs, every field-count variant from the 17-field original layout
to the current one with access point ARN, ACL flag and source region."""

from __future__ import annotations

import re
from datetime import UTC
from typing import Any
from urllib.parse import unquote

from labwarden.core.events import Event, EventClass
from labwarden.watch.parsers.activity import activity_of
from labwarden.watch.parsers.aws_identity import principal_of
from labwarden.watch.parsers.base import (
    LineParser,
    RecordError,
    int_or_none,
    raw_json,
    text_or_none,
)
from labwarden.watch.parsers.clf import clf_time, tokens

FIELDS = (
    "bucket_owner",
    "bucket",
    "time",
    "remote_ip",
    "requester",
    "request_id",
    "operation",
    "key",
    "request_uri",
    "http_status",
    "error_code",
    "bytes_sent",
    "object_size",
    "total_time",
    "turn_around_time",
    "referer",
    "user_agent",
    "version_id",
    "host_id",
    "signature_version",
    "cipher_suite",
    "authentication_type",
    "host_header",
    "tls_version",
    "access_point_arn",
    "acl_required",
    "source_region",
)
MIN_FIELDS = 16
"""Logs written before 2017 end after the referer or user agent; all later fields are optional."""

_SNIFF = re.compile(
    r"^\S+ \S+ \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] \S+ \S+ \S+ "
    r"(REST|WEBSITE|BATCH|S3)\.[A-Z_.]+ ",
    re.MULTILINE,
)
_OPERATION = re.compile(r"^(REST|WEBSITE|BATCH|S3)\.([A-Z]+)\.([A-Z_]+)$")
_S3_NAMES = {
    ("GET", "OBJECT"): "GetObject",
    ("HEAD", "OBJECT"): "HeadObject",
    ("PUT", "OBJECT"): "PutObject",
    ("DELETE", "OBJECT"): "DeleteObject",
    ("GET", "BUCKET"): "ListObjects",
    ("HEAD", "BUCKET"): "HeadBucket",
    ("GET", "ACL"): "GetBucketAcl",
    ("PUT", "ACL"): "PutBucketAcl",
    ("GET", "BUCKETPOLICY"): "GetBucketPolicy",
    ("PUT", "BUCKETPOLICY"): "PutBucketPolicy",
    ("DELETE", "BUCKETPOLICY"): "DeleteBucketPolicy",
    ("GET", "LOCATION"): "GetBucketLocation",
    ("PUT", "LOGGING_STATUS"): "PutBucketLogging",
    ("GET", "LOGGING_STATUS"): "GetBucketLogging",
    ("PUT", "PUBLIC_ACCESS_BLOCK"): "PutPublicAccessBlock",
    ("DELETE", "PUBLIC_ACCESS_BLOCK"): "DeletePublicAccessBlock",
    ("COPY", "OBJECT"): "CopyObject",
    ("POST", "MULTI_OBJECT_DELETE"): "DeleteObjects",
}


def api_name(operation: str) -> str:
    """A CloudTrail-style name (``GetObject``) for an S3 access log operation."""
    match = _OPERATION.match(operation)
    if not match:
        return operation
    known = _S3_NAMES.get((match.group(2), match.group(3)))
    if known:
        return known
    verb = match.group(2).capitalize()
    noun = "".join(part.capitalize() for part in match.group(3).split("_"))
    return f"{verb}{noun}"


class S3AccessParser(LineParser):
    """S3 server access log lines."""

    name = "s3access"
    description = "Amazon S3 server access logs"

    def sniff(self, sample: str) -> bool:
        """The bucket owner, bucket, bracketed time and an S3 operation name."""
        return bool(_SNIFF.search(sample))

    def parse_line(self, line: str, context: Any) -> Event | None:
        """One access log line; fields beyond those known are kept in ``raw`` as ``extra``."""
        values = tokens(line)
        if len(values) < MIN_FIELDS:
            raise RecordError(
                f"S3 access log line has {len(values)} fields, at least {MIN_FIELDS} expected"
            )
        record: dict[str, Any] = dict(zip(FIELDS, values, strict=False))
        if len(values) > len(FIELDS):
            record["extra"] = values[len(FIELDS) :]
        when = clf_time(record["time"]).astimezone(UTC)
        operation = record["operation"]
        if not _OPERATION.match(operation):
            raise RecordError(f"unknown S3 operation {operation!r}")
        bucket = text_or_none(record["bucket"])
        key = text_or_none(record["key"])
        key = unquote(key) if key else None
        name = api_name(operation)
        status = text_or_none(record["http_status"])
        error = text_or_none(record["error_code"])
        failed = bool(error) or (status is not None and status[:1] in ("4", "5"))
        requester = text_or_none(record["requester"])
        who = principal_of(requester)
        return {
            "time": when,
            "class_uid": int(EventClass.API_ACTIVITY),
            "activity": activity_of(name),
            "actor_user": who.user,
            "actor_uid": requester,
            "actor_type": who.type,
            "actor_role": who.role,
            "src_ip": text_or_none(record["remote_ip"]),
            "user_agent": text_or_none(record.get("user_agent")),
            "api_service": "s3.amazonaws.com",
            "api_operation": name,
            "api_request_id": text_or_none(record["request_id"]),
            "resource_type": "s3_object" if key else "s3_bucket",
            "resource_uri": f"s3://{bucket}/{key or ''}" if bucket else None,
            "resource_bucket": bucket,
            "resource_key": key,
            "bytes": int_or_none(record["bytes_sent"]),
            "status": "failure" if failed else "success",
            "status_code": error or status,
            "raw": raw_json(record),
        }
