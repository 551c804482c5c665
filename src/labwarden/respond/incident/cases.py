"""Open and widen incidents: selectors as given, plus what linked alerts say.

An alert names its principal and carries evidence events; linking it to an incident also adds
the principals, access keys and source addresses of that evidence as selectors, and the assets
it touched, so that the timeline and the scope follow the alert without retyping it. What was
derived is recorded in the incident's audit trail like anything else.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from labwarden.core.errors import InputError
from labwarden.core.values import Severity
from labwarden.seal.hashing import digest_handle
from labwarden.store.alerts import StoredAlert
from labwarden.store.catalog import Catalog
from labwarden.store.incidents import (
    AttachmentRecord,
    IncidentDraft,
    Scope,
    StoredIncident,
)

ACTOR_ENV = "LABWARDEN_ACTOR"
"""Who acts, when ``--by`` is not given (else the login name)."""

_EVIDENCE_SELECTORS = (
    ("principal", "actor_user"),
    ("access_key", "access_key"),
    ("source_ip", "src_ip"),
)


def current_actor(explicit: str | None = None) -> str:
    """Who makes a change: ``explicit``, else ``$LABWARDEN_ACTOR``, else the login name."""
    for candidate in (explicit, os.environ.get(ACTOR_ENV)):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return f"uid {os.getuid()}"


@dataclass(frozen=True, slots=True)
class IncidentRequest:
    """What ``incident open`` and ``incident add`` are given: selectors, alerts, assets,
    attachments (triage archives)."""

    principals: Sequence[str] = ()
    access_keys: Sequence[str] = ()
    hosts: Sequence[str] = ()
    source_ips: Sequence[str] = ()
    user_agents: Sequence[str] = ()
    buckets: Sequence[str] = ()
    alerts: Sequence[int] = ()
    assets: Sequence[str] = ()
    """Asset ids, URIs or unique names."""
    triage: Sequence[Path] = ()
    """Triage archives (``labwarden triage`` output) to attach."""
    derive: bool = True
    """Whether linked alerts add their principals, keys, addresses and assets."""
    extra: dict[str, str] = field(default_factory=dict)

    def selectors(self) -> list[tuple[str, str]]:
        """The given selectors as ``(kind, value)`` pairs."""
        pairs: list[tuple[str, str]] = []
        for kind, values in (
            ("principal", self.principals),
            ("access_key", self.access_keys),
            ("host", self.hosts),
            ("source_ip", self.source_ips),
            ("user_agent", self.user_agents),
            ("bucket", self.buckets),
        ):
            pairs.extend((kind, v.strip()) for v in values if v.strip())
        return pairs


def derived_selectors(alerts: Sequence[StoredAlert]) -> list[tuple[str, str]]:
    """Principals, access keys and source addresses that alerts and their evidence name."""
    found: dict[tuple[str, str], None] = {}
    for alert in alerts:
        if alert.principal:
            found[("principal", alert.principal)] = None
        for event in alert.evidence:
            for kind, column in _EVIDENCE_SELECTORS:
                value = event.get(column)
                if isinstance(value, str) and value.strip():
                    found[(kind, value.strip())] = None
    return list(found)


def derived_assets(alerts: Sequence[StoredAlert]) -> list[int]:
    """Assets that alerts and their evidence touched."""
    found: dict[int, None] = {}
    for alert in alerts:
        if alert.asset_id is not None:
            found[alert.asset_id] = None
        for event in alert.evidence:
            value = event.get("asset_id")
            if isinstance(value, int) and not isinstance(value, bool):
                found[value] = None
    return list(found)


def _attachment(path: Path) -> AttachmentRecord:
    """A triage archive to attach, identified by its SHA-256."""
    if not path.is_file():
        raise InputError(f"{path}: no such triage archive")
    try:
        with path.open("rb") as handle:
            digest = digest_handle(handle, "sha256")
            size = os.fstat(handle.fileno()).st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read the triage archive: {exc.strerror}") from exc
    return AttachmentRecord("triage", str(path.resolve()), digest, size, path.name)


def scope_of(catalog: Catalog, request: IncidentRequest) -> Scope:
    """The request as a :class:`Scope`, with what its alerts derive; unknown alerts, assets or
    archives are :class:`InputError`."""
    alerts = [catalog.alerts.get(a) for a in dict.fromkeys(request.alerts)]
    selectors = request.selectors()
    assets = [catalog.assets.get(ref).id for ref in request.assets]
    if request.derive:
        selectors += derived_selectors(alerts)
        assets += [a for a in derived_assets(alerts) if catalog.assets.exists(a)]
    return Scope(
        selectors=list(dict.fromkeys(selectors)),
        alerts=[a.id for a in alerts],
        assets=list(dict.fromkeys(assets)),
        attachments=[_attachment(p) for p in request.triage],
    )


def _window(
    alerts: Sequence[StoredAlert], since: str | None, until: str | None
) -> tuple[str | None, str | None]:
    """The window given, else the span of the alerts."""
    if alerts and since is None:
        since = min(a.first_seen for a in alerts)
    if alerts and until is None:
        until = max(a.last_seen for a in alerts)
    return since, until


def open_incident(
    catalog: Catalog,
    title: str,
    request: IncidentRequest,
    actor: str,
    *,
    severity: Severity | None = None,
    since: str | None = None,
    until: str | None = None,
    aware_at: str | None = None,
    summary: str = "",
) -> StoredIncident:
    """Open an incident; without a window, the span of its alerts; without a severity, the
    highest of its alerts (``high`` when it has none)."""
    scope = scope_of(catalog, request)
    alerts = [catalog.alerts.get(a) for a in scope.alerts]
    since, until = _window(alerts, since, until)
    if severity is None:
        severity = max((a.severity for a in alerts), default=Severity.HIGH)
    draft = IncidentDraft(
        title=title,
        severity=severity,
        summary=summary,
        since=since,
        until=until,
        aware_at=aware_at,
        fields=request.extra,
        scope=scope,
    )
    return catalog.incidents.open(draft, actor)


def widen_incident(
    catalog: Catalog, incident_id: int, request: IncidentRequest, actor: str
) -> dict[str, int]:
    """Add selectors, alerts, assets and triage archives to an incident; how many were new."""
    scope = scope_of(catalog, request)
    if scope.is_empty():
        raise InputError(
            "nothing to add: give --principal, --access-key, --host, --source-ip, "
            "--alert, --asset or --triage"
        )
    return catalog.incidents.add(incident_id, scope, actor)
