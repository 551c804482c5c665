"""AWS CloudTrail: ``{"Records": [...]}`` files (plain or .json.gz) and NDJSON exports.

Management events and S3 data events map onto the same columns; S3 object and bucket
requests get ``resource_uri = s3://bucket/key``. The mapping is written once (:data:`FIELDS`)
and run two ways: per record by the streaming parser (:func:`normalize`), and as DuckDB SQL
(:func:`bulk_sql`) by ingest's fast path (:mod:`labwarden.watch.bulk`), which normalizes whole
well-formed files at DuckDB speed.
"""

from __future__ import annotations

import re
from typing import Any

from labwarden.core.events import Event, EventClass, parse_iso_time
from labwarden.watch.parsers.activity import activity_of
from labwarden.watch.parsers.aws_identity import MACHINE_SESSION, SERVICE_LINKED_ROLE
from labwarden.watch.parsers.base import JsonRecordParser
from labwarden.watch.parsers.fields import (
    AfterLast,
    AfterSlash,
    Coalesce,
    Concat,
    Const,
    Equals,
    Expr,
    If,
    Matches,
    NonZeroOr,
    Present,
    Text,
    Whole,
    to_python,
    to_sql,
)

_SNIFF = re.compile(r'"eventVersion"\s*:|"eventSource"\s*:\s*"[a-z0-9-]+\.amazonaws\.com"')


_TYPE = Text("userIdentity.type")
_BUCKET = Text("requestParameters.bucketName")
_KEY = Text("requestParameters.key")

_ROLE = Text("userIdentity.sessionContext.sessionIssuer.userName")
_SESSION = AfterLast(Text("userIdentity.arn"))

ACTOR_USER = Coalesce(
    (
        Text("userIdentity.userName"),
        If(
            Equals(_TYPE, "AssumedRole"),
            Coalesce(
                (
                    Text("userIdentity.sessionContext.sourceIdentity"),
                    If(
                        Matches(_ROLE, SERVICE_LINKED_ROLE),
                        _ROLE,
                        If(Matches(_SESSION, MACHINE_SESSION), _ROLE, _SESSION),
                    ),
                    _ROLE,
                )
            ),
        ),
        AfterSlash(Text("userIdentity.arn")),
        If(Equals(_TYPE, "Root"), Const("root")),
        Text("userIdentity.invokedBy"),
        Text("userIdentity.onBehalfOf.userId"),
        Text("userIdentity.principalId"),
    )
)
"""Who acted (the rules are :mod:`labwarden.watch.parsers.aws_identity`'s): the IAM user; for an
assumed role the session's ``sourceIdentity``, else its session name (a person's name or e-mail,
an instance id ``i-...``), else the role when the session name is made up per session
(:data:`MACHINE_SESSION`) or the role is service-linked; the federated user; ``root``; the
service; an IAM Identity Center user (``onBehalfOf.userId``). The role (or the user a federation
token was issued to) is ``actor_role``, the session's peer group."""

FIELDS: dict[str, Expr] = {
    "actor_user": ACTOR_USER,
    "actor_uid": Coalesce((Text("userIdentity.arn"), Text("userIdentity.principalId"))),
    "actor_type": _TYPE,
    "actor_role": _ROLE,
    "access_key": Text("userIdentity.accessKeyId"),
    "src_ip": Text("sourceIPAddress"),
    "user_agent": Text("userAgent"),
    "api_service": Text("eventSource"),
    "api_operation": Text("eventName"),
    "api_request_id": Text("requestID"),
    "cloud_account": Coalesce((Text("recipientAccountId"), Text("userIdentity.accountId"))),
    "cloud_region": Text("awsRegion"),
    "resource_type": If(
        Present(_BUCKET),
        If(Present(_KEY), Const("s3_object"), Const("s3_bucket")),
        Text("resources[0].type"),
    ),
    "resource_uri": If(
        Present(_BUCKET),
        Concat((Const("s3://"), _BUCKET, Const("/"), Coalesce((_KEY, Const(""))))),
        Text("resources[0].ARN"),
    ),
    "resource_bucket": _BUCKET,
    "resource_key": If(Present(_BUCKET), _KEY),
    "bytes": NonZeroOr(
        Whole("additionalEventData.bytesTransferredOut"),
        Whole("additionalEventData.bytesTransferredIn"),
    ),
    "status": If(Present(Text("errorCode")), Const("failure"), Const("success")),
    "status_code": Text("errorCode"),
    "event_uid": Text("eventID"),
}
"""Every event column CloudTrail fills but ``time``, ``class_uid``, ``activity`` and ``raw``."""

_fields = to_python(FIELDS)
_ACTOR = to_python({"actor_user": ACTOR_USER})


def actor_user(identity: dict[str, Any]) -> str | None:
    """The principal's readable name (see :data:`ACTOR_USER`) from a ``userIdentity``."""
    name: str | None = _ACTOR({"userIdentity": identity})["actor_user"]
    return name


def normalize(record: dict[str, Any], raw: str) -> Event:
    """One CloudTrail record as an event; raises ``ValueError`` without a valid ``eventTime``."""
    when = record.get("eventTime")
    if not isinstance(when, str):
        raise ValueError("record has no eventTime")
    fields = _fields(record)
    return {
        "time": parse_iso_time(when),
        "class_uid": int(EventClass.API_ACTIVITY),
        "activity": activity_of(fields["api_operation"]),
        **fields,
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


_SQL = to_sql({"time": Text("eventTime"), **FIELDS})
_SQL.columns["time"] = f"TRY_CAST({_SQL.columns['time']} AS TIMESTAMPTZ)"
_SQL.columns["event_uid"] = f"coalesce({_SQL.columns['event_uid']}, md5(raw))"
_COLUMNS = {
    "time": _SQL.columns["time"],
    "class_uid": f"{int(EventClass.API_ACTIVITY)}::INTEGER",
    "activity": "NULL::VARCHAR",
    **{name: expr for name, expr in _SQL.columns.items() if name not in ("time", "event_uid")},
    "host": "NULL::VARCHAR",
    "process": "NULL::VARCHAR",
    "command": "NULL::VARCHAR",
    "event_uid": _SQL.columns["event_uid"],
}
BULK_SELECT = (
    "SELECT\n  "
    + ",\n  ".join(f"{expr} AS {name}" for name, expr in _COLUMNS.items())
    + ",\n  origin_file,\n  origin_line,\n  raw\n"
)
"""Columns of :data:`labwarden.core.events.SCHEMA` from a relation with the record's JSON text
``raw`` and ``v``, the values of :data:`EXTRACT_PATHS` (see :data:`EXTRACT`). ``time`` is NULL
when ``eventTime`` is missing or not a time (the caller reports such records); ``event_uid``
falls back to the MD5 of ``raw`` as enrichment does for parsed records; ``activity`` is
left NULL: ingest derives it from the few distinct operations, which is much cheaper than
classifying every row in SQL."""

EXTRACT_PATHS: tuple[str, ...] = tuple(f"$.{p}" for p in _SQL.paths)
EXTRACT = _SQL.extract
"""The one extraction :data:`BULK_SELECT` reads its fields from (the record is parsed once)."""


def bulk_sql(relation: str, passthrough: tuple[str, ...] = ()) -> str:
    """DuckDB SQL normalizing the records of ``relation`` (columns ``raw``, ``origin_file``,
    ``origin_line`` and the ``passthrough`` ones, which are kept after the event columns)."""
    kept = "".join(f", {name}" for name in passthrough)
    return f"{BULK_SELECT}{kept} FROM (SELECT *, {EXTRACT} FROM {relation}) AS x"  # noqa: S608
