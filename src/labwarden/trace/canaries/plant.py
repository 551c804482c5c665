"""Planting canaries: write the decoy where the user asks and register it in the catalog."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labwarden.checks.secrets.redact import secret_hash
from labwarden.core.errors import InputError
from labwarden.store.catalog import Catalog
from labwarden.store.trace import Canary
from labwarden.trace.canaries import aws, decoys
from labwarden.trace.canaries.kinds import (
    BEACON_PREFIX,
    DEFAULT_BEACON_BASE,
    DEFAULT_DOMAIN,
    CanaryKind,
    beacon_url,
    new_token,
)


@dataclass(slots=True)
class PlantRequest:
    """What ``labwarden canary plant`` was asked."""

    kind: CanaryKind
    name: str | None = None
    into: Path | None = None
    access_key_id: str | None = None
    matches: list[str] = field(default_factory=list)
    beacon_base: str | None = None
    domain: str = DEFAULT_DOMAIN
    rows: int = 20


@dataclass(slots=True)
class _Planted:
    token: str
    location: str
    matches: list[str]
    detail: dict[str, Any]


def _need_into(request: PlantRequest) -> Path:
    if request.into is None:
        raise InputError(f"canary {request.kind.value}: --into PATH says where to plant it")
    path = request.into.expanduser().absolute()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{path.parent}: cannot create the folder: {exc.strerror}") from exc
    return path


def _aws_key(request: PlantRequest, token: str) -> _Planted:
    if request.access_key_id:
        key_id = aws.check_key_id(request.access_key_id)
        where = (
            str(request.into.expanduser().absolute())
            if request.into
            else "registered (created elsewhere)"
        )
        detail: dict[str, Any] = {"created": False, "secret_hashes": [secret_hash(key_id)]}
        return _Planted(key_id, where, [], detail)
    user = f"labwarden-canary-{request.name or token[:8]}"
    key = aws.create_key(user)
    detail = {
        "created": True,
        "user": key.user,
        "account": key.account,
        "secret_hashes": [secret_hash(key.access_key_id), secret_hash(key.secret_access_key)],
    }
    location = "not written (give --into to write it)"
    if request.into is not None:
        path = _need_into(request)
        text = decoys.credentials_text(path, token, key.access_key_id, key.secret_access_key)
        decoys.write_credentials(path, text)
        location = str(path)
    return _Planted(key.access_key_id, location, [], detail)


def _model(request: PlantRequest, token: str) -> _Planted:
    folder = _need_into(request)
    beacon = beacon_url(request.beacon_base, token) if request.beacon_base else None
    files = decoys.write_model(folder, request.name or folder.name, token, beacon)
    matches = [f"{folder}/", *request.matches]
    if beacon:
        matches.append(BEACON_PREFIX + token)
    return _Planted(token, str(folder), matches, {"files": [p.name for p in files]})


def _credentials(request: PlantRequest, token: str) -> _Planted:
    path = _need_into(request)
    decoys.write_credentials(path, decoys.credentials_text(path, token, None, None))
    hashes = [secret_hash(f"lwr_{token}"), secret_hash(token)]
    return _Planted(token, str(path), [str(path), *request.matches], {"secret_hashes": hashes})


def _dataset(request: PlantRequest, token: str) -> _Planted:
    path = _need_into(request)
    if request.rows < 1:
        raise InputError("--rows must be at least 1")
    rows = decoys.canary_subjects(token, request.domain, request.rows)
    decoys.write_dataset(path, rows)
    detail = {
        "rows": len(rows),
        "domain": request.domain,
        "needles": [rows[0]["subject_id"].rsplit("-", 1)[0] + "-", token[:8]],
    }
    return _Planted(token, str(path), [str(path), *request.matches], detail)


def _beacon(request: PlantRequest, token: str) -> _Planted:
    path = _need_into(request)
    url = beacon_url(request.beacon_base or DEFAULT_BEACON_BASE, token)
    decoys.write_document(path, decoys.beacon_document(path, url, request.name or path.stem))
    return _Planted(token, str(path), [BEACON_PREFIX + token, *request.matches], {"url": url})


def _object(request: PlantRequest, token: str) -> _Planted:
    if not request.matches:
        raise InputError("canary object: --match URI names the decoy object (s3://bucket/key)")
    return _Planted(token, request.matches[0], list(request.matches), {})


_PLANTERS: dict[CanaryKind, Callable[[PlantRequest, str], _Planted]] = {
    CanaryKind.AWS_KEY: _aws_key,
    CanaryKind.MODEL: _model,
    CanaryKind.CREDENTIALS: _credentials,
    CanaryKind.DATASET: _dataset,
    CanaryKind.BEACON: _beacon,
    CanaryKind.OBJECT: _object,
}


def plant(catalog: Catalog, request: PlantRequest) -> Canary:
    """Write the decoy (when the kind has one) and register the canary."""
    token = new_token()
    name = request.name or f"{request.kind.value}-{token[:6]}"
    if name in catalog.canaries.names():
        raise InputError(f"a canary named {name!r} exists already; choose another --name")
    planted = _PLANTERS[request.kind](request, token)
    if request.kind is CanaryKind.AWS_KEY and catalog.canaries.by_token(planted.token):
        raise InputError(f"access key {planted.token} is registered as a canary already")
    return catalog.canaries.add(
        name=name,
        kind=request.kind.value,
        token=planted.token,
        location=planted.location,
        matches=planted.matches,
        detail=planted.detail,
    )


def retire(catalog: Catalog, ref: str, *, delete_key: bool = False) -> Canary:
    """Retire a canary (no more alerts); ``delete_key`` also deletes an AWS user it created."""
    canary = catalog.canaries.get(ref)
    if delete_key:
        if canary.kind != CanaryKind.AWS_KEY.value or not canary.detail.get("created"):
            raise InputError(f"canary {canary.name!r}: --delete-key is for AWS keys it created")
        aws.delete_key(str(canary.detail["user"]), canary.token)
    return catalog.canaries.retire(str(canary.id))
