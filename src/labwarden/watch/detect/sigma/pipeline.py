"""The processing pipeline: Sigma log sources onto lake sources, their field names onto lake
columns (or onto the raw record), so that SigmaHQ rules run unchanged.

Each supported log source maps to one ``source`` partition of the lake and has a field map;
fields without a column mapping read the original record (``raw.<field>``). Rules of the
``labwarden`` product use lake columns directly and run over every source (or over the one
named by ``service``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sigma.processing.conditions import LogsourceCondition
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations import (
    AddConditionTransformation,
    FieldFunctionTransformation,
)

from labwarden.watch.detect.sigma.backend import RAW_PREFIX


def _raw(name: str | None) -> str:
    return f"{RAW_PREFIX}{name}"


def _gcp_raw(name: str | None) -> str:
    text = name or ""
    for prefix in ("data.protoPayload.", "protoPayload."):
        if text.startswith(prefix):
            return f"{RAW_PREFIX}protoPayload.{text[len(prefix) :]}"
    if text.startswith("data."):
        return f"{RAW_PREFIX}{text[len('data.') :]}"
    return f"{RAW_PREFIX}{text}"


@dataclass(frozen=True, slots=True)
class SourceMapping:
    """How one Sigma log source reads the lake."""

    product: str
    service: str | None
    source: str
    fields: dict[str, str] = field(default_factory=dict)
    unmapped: Callable[[str | None], str] = _raw


CLOUDTRAIL_FIELDS = {
    "eventSource": "api_service",
    "eventName": "api_operation",
    "sourceIPAddress": "src_ip",
    "userAgent": "user_agent",
    "awsRegion": "cloud_region",
    "errorCode": "status_code",
    "userIdentity.type": "actor_type",
    "userIdentity.accessKeyId": "access_key",
    "requestParameters.bucketName": "resource_bucket",
    "requestParameters.key": "resource_key",
    "recipientAccountId": "cloud_account",
    "eventID": "event_uid",
    "requestID": "api_request_id",
}
AUDITD_FIELDS = {"type": "api_operation"}
GCP_FIELDS = {
    "gcp.audit.method_name": "api_operation",
    "data.protoPayload.methodName": "api_operation",
    "data.protoPayload.serviceName": "api_service",
    "protoPayload.methodName": "api_operation",
    "protoPayload.serviceName": "api_service",
    "data.protoPayload.authorizationInfo.permission": (
        "raw.protoPayload.authorizationInfo[0].permission"
    ),
    "data.protoPayload.authorizationInfo.granted": "raw.protoPayload.authorizationInfo[0].granted",
}
# Fields of SigmaHQ's generic ``webserver`` category onto the HTTP parser's columns.
WEBSERVER_FIELDS = {
    "c-ip": "src_ip",
    "cs-method": "api_operation",
    "cs-uri-stem": "resource_uri",
    "cs-uri-query": "raw.request",
    "cs-user-agent": "user_agent",
    "cs-username": "actor_user",
    "sc-status": "status_code",
    "sc-bytes": "bytes",
}

# SigmaHQ's GitHub audit rules (product github, service audit) onto the GitHub parser's columns.
GITHUB_FIELDS = {
    "action": "api_operation",
    "actor": "actor_user",
    "actor_ip": "src_ip",
    "user_agent": "user_agent",
    "org": "cloud_account",
}

SOURCES: tuple[SourceMapping, ...] = (
    SourceMapping("aws", "cloudtrail", "cloudtrail", CLOUDTRAIL_FIELDS),
    SourceMapping("linux", "auditd", "auditd", AUDITD_FIELDS),
    SourceMapping("gcp", "gcp.audit", "gcp_audit", GCP_FIELDS, _gcp_raw),
    SourceMapping("azure", "activitylogs", "azure_activity", {}),
    SourceMapping("azure", "storage", "azure_storage", {}),
    SourceMapping("linux", "auth", "authlog", {}),
    SourceMapping("linux", "sshd", "authlog", {}),
    SourceMapping("linux", "sudo", "authlog", {}),
    SourceMapping("github", "audit", "github_audit", GITHUB_FIELDS),
)
"""Log sources with a lake source; anything else (but ``labwarden``) cannot run."""

LAKE_PRODUCT = "labwarden"


def source_for(product: str | None, service: str | None, category: str | None) -> str | None:
    """The lake source of a log source; ``""`` means every source; ``None`` means unsupported."""
    if product == LAKE_PRODUCT:
        return service or ""
    if category == "webserver" and product in (None, "", "nginx", "apache"):
        return "http"
    for mapping in SOURCES:
        if mapping.product == product and mapping.service == service:
            return mapping.source
    return None


def _mapping(fields: dict[str, str]) -> dict[str | None, str | list[str]]:
    return {name: target for name, target in fields.items()}


def lake_pipeline() -> ProcessingPipeline:
    """The pipeline mapping every supported log source onto the lake."""
    items: list[ProcessingItem] = []
    for mapping in SOURCES:
        items.append(
            ProcessingItem(
                identifier=f"labwarden_{mapping.source}_{mapping.service}_fields",
                transformation=FieldFunctionTransformation(
                    mapping=_mapping(mapping.fields), transform_func=mapping.unmapped
                ),
                rule_conditions=[
                    LogsourceCondition(product=mapping.product, service=mapping.service)
                ],
            )
        )
        items.append(
            ProcessingItem(
                identifier=f"labwarden_{mapping.source}_{mapping.service}_source",
                transformation=AddConditionTransformation({"source": mapping.source}),
                rule_conditions=[
                    LogsourceCondition(product=mapping.product, service=mapping.service)
                ],
            )
        )
    items.append(
        ProcessingItem(
            identifier="labwarden_webserver_fields",
            transformation=FieldFunctionTransformation(
                mapping=_mapping(WEBSERVER_FIELDS), transform_func=_raw
            ),
            rule_conditions=[LogsourceCondition(category="webserver")],
        )
    )
    items.append(
        ProcessingItem(
            identifier="labwarden_webserver_source",
            transformation=AddConditionTransformation({"source": "http"}),
            rule_conditions=[LogsourceCondition(category="webserver")],
        )
    )
    return ProcessingPipeline(name="labwarden lake", priority=20, items=items)


def map_field(product: str | None, service: str | None, name: str) -> str:
    """A field name of a log source as the pipeline maps it (for correlation ``group-by``)."""
    if product == LAKE_PRODUCT:
        return name
    for mapping in SOURCES:
        if mapping.product == product and mapping.service == service:
            return mapping.fields.get(name) or mapping.unmapped(name)
    return name
