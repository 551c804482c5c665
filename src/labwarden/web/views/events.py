"""Events of the lake with the same filters as ``labwarden events``, paged."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from labwarden.core.workspace import Workspace
from labwarden.engines.interface import Engine
from labwarden.web.views.paging import Page

MAX_OFFSET = 10_000
"""Deepest page offset: beyond it, narrow the time window instead."""


@dataclass(frozen=True, slots=True)
class EventFilters:
    """The filters of ``GET /api/v1/events``."""

    since: str | None = None
    until: str | None = None
    principal: str | None = None
    asset: str | None = None
    action: str | None = None
    source: str | None = None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def list_events(
    workspace: Workspace, filters: EventFilters, page: Page, engine: Engine | None = None
) -> dict[str, Any]:
    """One page of events, newest first (``engine``: a session with the ``events`` view)."""
    from labwarden.core.errors import InputError
    from labwarden.watch.service import EventQuery, parse_time, query_events

    if page.offset > MAX_OFFSET:
        raise InputError(f"offset is at most {MAX_OFFSET}: narrow since/until instead")
    query = EventQuery(
        since=parse_time(filters.since, "since"),
        until=parse_time(filters.until, "until"),
        principal=filters.principal,
        asset=filters.asset,
        action=filters.action,
        source=filters.source,
        limit=page.offset + page.limit + 1,
    )
    rows = query_events(workspace, query, engine=engine).to_pylist()
    items = [_plain(r) for r in page.of(rows)]
    more = len(rows) > page.offset + page.limit
    document = page.document(items, page.offset + len(items) + (1 if more else 0))
    document["total"] = None  # the lake is not counted for a page; next_offset says if more
    return document
