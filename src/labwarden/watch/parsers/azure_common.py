"""What Azure Activity and Storage resource logs share: the ``records`` export and callers."""

from __future__ import annotations

from typing import Any

from labwarden.watch.parsers.base import dig, text_or_none


def caller_ip(value: Any) -> str | None:
    """``callerIpAddress`` without its port (``1.2.3.4:5678`` becomes ``1.2.3.4``)."""
    text = text_or_none(value)
    if not text:
        return None
    if text.count(":") == 1:
        return text.split(":", 1)[0]
    if text.startswith("[") and "]" in text:
        return text[1 : text.index("]")]
    return text


def resource_parts(resource_id: str | None) -> tuple[str | None, str | None]:
    """``(subscription, resource group)`` of an Azure resource id."""
    if not resource_id:
        return None, None
    parts = resource_id.strip("/").split("/")
    lowered = [p.lower() for p in parts]
    subscription = group = None
    if "subscriptions" in lowered:
        index = lowered.index("subscriptions")
        subscription = parts[index + 1] if index + 1 < len(parts) else None
    if "resourcegroups" in lowered:
        index = lowered.index("resourcegroups")
        group = parts[index + 1] if index + 1 < len(parts) else None
    return subscription, group


def claims_user(record: dict[str, Any]) -> str | None:
    """The caller's user principal name from the identity claims."""
    claims = dig(record, "identity", "claims")
    if isinstance(claims, dict):
        for key in (
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
            "name",
            "appid",
        ):
            value = text_or_none(claims.get(key))
            if value:
                return value
    return text_or_none(record.get("caller"))
