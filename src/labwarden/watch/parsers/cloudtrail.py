"""AWS CloudTrail: ``{"Records": [...]}`` files (plain or .json.gz) and NDJSON exports.

Management events and S3 data events map onto the same columns; S3 object and bucket
requests get ``resource_uri = s3://bucket/key``. :data:`BULK_SELECT` is the same mapping as
DuckDB SQL, used by ingest (:mod:`labwarden.watch.bulk`) to normalize whole well-formed files
at DuckDB speed.
"""

from __future__ import annotations

import re
from typing import Any

from labwarden.core.events import Event, EventClass, parse_iso_time
from labwarden.watch.parsers.activity import activity_of
from labwarden.watch.parsers.base import (
    JsonRecordParser,
    dig,
    int_or_none,
    text_or_none,
)

_SNIFF = re.compile(r'"eventVersion"\s*:|"eventSource"\s*:\s*"[a-z0-9-]+\.amazonaws\.com"')


def actor_user(identity: dict[str, Any]) -> str | None:
    """The principal's readable name: user name, role name, ``root`` or the service.

    Assumed roles are named by their role (sessions come and go; the ARN keeps the session).
    """
    name = text_or_none(identity.get("userName"))
    if name:
        return name
    if identity.get("type") == "AssumedRole":
        issuer = text_or_none(dig(identity, "sessionContext", "sessionIssuer", "userName"))
        if issuer:
            return issuer
    arn = text_or_none(identity.get("arn"))
    if arn and "/" in arn:
        return arn.split("/", 1)[1]
    if identity.get("type") == "Root":
        return "root"
    return text_or_none(identity.get("invokedBy")) or text_or_none(identity.get("principalId"))


def s3_uri(params: dict[str, Any] | None) -> tuple[str | None, str | None, str | None]:
    """``(uri, bucket, key)`` of an S3 request's parameters."""
    if not isinstance(params, dict):
        return None, None, None
    bucket = text_or_none(params.get("bucketName"))
    if not bucket:
        return None, None, None
    key = text_or_none(params.get("key"))
    return f"s3://{bucket}/{key or ''}", bucket, key


def normalize(record: dict[str, Any], raw: str) -> Event:
    """One CloudTrail record as an event; raises ``ValueError`` without a valid ``eventTime``."""
    when = record.get("eventTime")
    if not isinstance(when, str):
        raise ValueError("record has no eventTime")
    identity = record.get("userIdentity")
    identity = identity if isinstance(identity, dict) else {}
    operation = text_or_none(record.get("eventName"))
    uri, bucket, key = s3_uri(record.get("requestParameters"))
    resource_type = None
    if bucket:
        resource_type = "s3_object" if key else "s3_bucket"
    else:
        resources = record.get("resources")
        if isinstance(resources, list) and resources and isinstance(resources[0], dict):
            uri = text_or_none(resources[0].get("ARN"))
            resource_type = text_or_none(resources[0].get("type"))
    extra = record.get("additionalEventData")
    transferred = None
    if isinstance(extra, dict):
        out = int_or_none(extra.get("bytesTransferredOut"))
        inbound = int_or_none(extra.get("bytesTransferredIn"))
        transferred = out if out else inbound
    error = text_or_none(record.get("errorCode"))
    source_ip = text_or_none(record.get("sourceIPAddress"))
    return {
        "time": parse_iso_time(when),
        "class_uid": int(EventClass.API_ACTIVITY),
        "activity": activity_of(operation),
        "actor_user": actor_user(identity),
        "actor_uid": text_or_none(identity.get("arn")) or text_or_none(identity.get("principalId")),
        "actor_type": text_or_none(identity.get("type")),
        "access_key": text_or_none(identity.get("accessKeyId")),
        "src_ip": source_ip,
        "user_agent": text_or_none(record.get("userAgent")),
        "api_service": text_or_none(record.get("eventSource")),
        "api_operation": operation,
        "api_request_id": text_or_none(record.get("requestID")),
        "cloud_account": text_or_none(record.get("recipientAccountId"))
        or text_or_none(identity.get("accountId")),
        "cloud_region": text_or_none(record.get("awsRegion")),
        "resource_type": resource_type,
        "resource_uri": uri,
        "resource_bucket": bucket,
        "resource_key": key,
        "bytes": transferred,
        "status": "failure" if error else "success",
        "status_code": error,
        "event_uid": text_or_none(record.get("eventID")),
        "raw": raw,
    }


class CloudTrailParser(JsonRecordParser):
    """AWS CloudTrail management and data events."""

    name = "cloudtrail"
    description = "AWS CloudTrail (Records files, .json.gz, NDJSON exports)"

    def sniff(self, sample: str) -> bool:
        """CloudTrail records carry ``eventVersion`` and an ``*.amazonaws.com`` event source."""
        return bool(_SNIFF.search(sample[:8192]))

    record_kind = "a CloudTrail record"

    def normalize(self, record: dict[str, Any], raw: str) -> Event:
        """The record as an event."""
        return normalize(record, raw)


_PATHS: list[str] = []


def _j(path: str) -> str:
    # Every field comes from one multi-path extraction (``v``): the record is parsed once.
    if path not in _PATHS:
        _PATHS.append(path)
    return f"v[{_PATHS.index(path) + 1}]"


_USER = (
    f"coalesce(nullif({_j('userIdentity.userName')}, ''), "
    f"CASE WHEN {_j('userIdentity.type')} = 'AssumedRole' "
    f"THEN nullif({_j('userIdentity.sessionContext.sessionIssuer.userName')}, '') END, "
    f"CASE WHEN strpos({_j('userIdentity.arn')}, '/') > 0 "
    f"THEN substr({_j('userIdentity.arn')}, strpos({_j('userIdentity.arn')}, '/') + 1) END, "
    f"CASE WHEN {_j('userIdentity.type')} = 'Root' THEN 'root' END, "
    f"nullif({_j('userIdentity.invokedBy')}, ''), nullif({_j('userIdentity.principalId')}, ''))"
)
_BUCKET = f"nullif({_j('requestParameters.bucketName')}, '')"
_KEY = f"nullif({_j('requestParameters.key')}, '')"
_OUT = f"TRY_CAST({_j('additionalEventData.bytesTransferredOut')} AS BIGINT)"
_IN = f"TRY_CAST({_j('additionalEventData.bytesTransferredIn')} AS BIGINT)"

BULK_SELECT = f"""
SELECT
  TRY_CAST({_j("eventTime")} AS TIMESTAMPTZ) AS time,
  {int(EventClass.API_ACTIVITY)}::INTEGER AS class_uid,
  NULL::VARCHAR AS activity,
  {_USER} AS actor_user,
  coalesce(nullif({_j("userIdentity.arn")}, ''),
           nullif({_j("userIdentity.principalId")}, '')) AS actor_uid,
  nullif({_j("userIdentity.type")}, '') AS actor_type,
  nullif({_j("userIdentity.accessKeyId")}, '') AS access_key,
  nullif({_j("sourceIPAddress")}, '') AS src_ip,
  nullif({_j("userAgent")}, '') AS user_agent,
  nullif({_j("eventSource")}, '') AS api_service,
  nullif({_j("eventName")}, '') AS api_operation,
  nullif({_j("requestID")}, '') AS api_request_id,
  coalesce(nullif({_j("recipientAccountId")}, ''),
           nullif({_j("userIdentity.accountId")}, '')) AS cloud_account,
  nullif({_j("awsRegion")}, '') AS cloud_region,
  CASE WHEN {_BUCKET} IS NOT NULL THEN
    CASE WHEN {_KEY} IS NOT NULL THEN 's3_object' ELSE 's3_bucket' END
    ELSE nullif({_j("resources[0].type")}, '') END AS resource_type,
  CASE WHEN {_BUCKET} IS NOT NULL THEN 's3://' || {_BUCKET} || '/' || coalesce({_KEY}, '')
    ELSE nullif({_j("resources[0].ARN")}, '') END AS resource_uri,
  {_BUCKET} AS resource_bucket,
  CASE WHEN {_BUCKET} IS NOT NULL THEN {_KEY} END AS resource_key,
  CASE WHEN coalesce({_OUT}, 0) <> 0 THEN {_OUT} ELSE {_IN} END AS bytes,
  CASE WHEN nullif({_j("errorCode")}, '') IS NULL THEN 'success' ELSE 'failure' END AS status,
  nullif({_j("errorCode")}, '') AS status_code,
  NULL::VARCHAR AS host,
  NULL::VARCHAR AS process,
  NULL::VARCHAR AS command,
  coalesce(nullif({_j("eventID")}, ''), md5(raw)) AS event_uid,
  origin_file,
  origin_line,
  raw
"""
"""Columns of :data:`labwarden.core.events.SCHEMA` from a relation with the record's JSON text
``raw`` and ``v``, the values of :data:`EXTRACT_PATHS` (see :data:`EXTRACT`). ``time`` is NULL
when ``eventTime`` is missing or not a time (the caller reports such records); ``event_uid``
falls back to the MD5 of ``raw`` as enrichment does for parsed records; ``activity`` is
left NULL: ingest derives it from the few distinct operations, which is much cheaper than
classifying every row in SQL."""

EXTRACT_PATHS: tuple[str, ...] = tuple(f"$.{p}" for p in _PATHS)
EXTRACT = "json_extract_string(raw, [" + ", ".join(f"'{p}'" for p in EXTRACT_PATHS) + "]) AS v"
"""The one extraction :data:`BULK_SELECT` reads its fields from (the record is parsed once)."""


def bulk_sql(relation: str, passthrough: tuple[str, ...] = ()) -> str:
    """DuckDB SQL normalizing the records of ``relation`` (columns ``raw``, ``origin_file``,
    ``origin_line`` and the ``passthrough`` ones, which are kept after the event columns)."""
    kept = "".join(f", {name}" for name in passthrough)
    return f"{BULK_SELECT}{kept} FROM (SELECT *, {EXTRACT} FROM {relation}) AS x"  # noqa: S608
