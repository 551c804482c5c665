"""Which catalog asset (and how sensitive) a resource in an access log is.

Resources in logs are object URIs (``s3://bucket/key``, ``gs://``, ``azure://account/container``),
local paths (auditd) or URL paths (a model registry). They are resolved, most specific first:

1. ``[[resource]]`` entries of the workspace's ``resources.toml``: the longest ``match`` prefix
   wins; the entry names a catalog asset (``asset`` = id, URI or unique name) and/or gives a
   ``sensitivity``, ``kind``, ``name`` and ``canary`` flag directly;
2. catalog assets whose URI (an absolute local path, ``s3://bucket/prefix``) is the resource
   or a folder above it;
3. otherwise the sensitivity policy applied to the resource's own name and folders
   (:mod:`labwarden.watch.sensitivity`), with the reason it gives.

Resources are matched by identity (bucket and key, ARN, path), never by a bare name: an SSM
parameter ``.../credentials/x`` is not the local file asset called ``credentials``.

``[[network]]`` entries label source addresses (``cidr`` and ``country``), since no GeoIP
database is shipped; unlabelled addresses get ``private``/``public``.
"""

from __future__ import annotations

import ipaddress
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labwarden.core.errors import InputError, PolicyError
from labwarden.core.events import is_internal, parse_address
from labwarden.core.values import AssetKind, Sensitivity
from labwarden.inventory.policy import Policy, default_policy
from labwarden.store.catalog import Catalog
from labwarden.watch.sensitivity import Inferrer

RESOURCES_FILE = "resources.toml"


@dataclass(frozen=True, slots=True)
class ResolvedAsset:
    """What an event learns about the asset it touched."""

    asset_id: int | None
    name: str
    kind: str
    sensitivity: str
    canary: bool = False
    reason: str = ""
    """Where the asset and its sensitivity come from (``resources.toml``, the catalog, or the
    policy's reason when inferred)."""


@dataclass(frozen=True, slots=True)
class ResourceRule:
    """One ``[[resource]]`` entry."""

    match: str
    asset: ResolvedAsset


@dataclass(frozen=True, slots=True)
class NetworkLabel:
    """One ``[[network]]`` entry."""

    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    country: str


class Resolver:
    """Resolves resource URIs to assets and addresses to networks and countries."""

    def __init__(
        self,
        rules: list[ResourceRule],
        by_uri: dict[str, ResolvedAsset],
        networks: list[NetworkLabel],
        policy: Policy | None = None,
    ) -> None:
        self.rules = sorted(rules, key=lambda r: -len(r.match))
        self.by_uri = by_uri
        self.inferrer = Inferrer(policy) if policy is not None else None
        self.networks = sorted(networks, key=lambda n: -n.network.prefixlen)
        self._dirs: dict[str, ResolvedAsset | None] = {}

    @classmethod
    def empty(cls) -> Resolver:
        """A resolver that knows no assets and infers no sensitivity."""
        return cls([], {}, [])

    def resolve(self, uri: str | None) -> ResolvedAsset | None:
        """The asset ``uri`` belongs to, if any."""
        if not uri:
            return None
        for rule in self.rules:
            if uri.startswith(rule.match):
                return rule.asset
        exact = self.by_uri.get(uri.rstrip("/"))
        if exact is not None:
            return exact
        parent = uri.rstrip("/").rsplit("/", 1)[0] if "/" in uri.rstrip("/") else ""
        return self._resolve_dir(parent)

    def _resolve_dir(self, folder: str) -> ResolvedAsset | None:
        if folder in self._dirs:
            return self._dirs[folder]
        found: ResolvedAsset | None = self.by_uri.get(folder) if folder else None
        if found is None and folder and "/" in folder:
            found = self._resolve_dir(folder.rsplit("/", 1)[0])
        self._dirs[folder] = found
        return found

    def exact(self, uri: str) -> ResolvedAsset | None:
        """The asset of exactly this resource: a ``match`` without a trailing ``/`` equal to
        it, or a catalog asset with this URI."""
        for rule in self.rules:
            if not rule.match.endswith("/") and rule.match == uri:
                return rule.asset
        return self.by_uri.get(uri.rstrip("/"))

    def exact_uris(self) -> dict[str, ResolvedAsset]:
        """Every resource :meth:`exact` knows, for joining against many events at once."""
        table = dict(self.by_uri)
        for rule in reversed(self.rules):  # the longest (first) rule wins on ties
            if not rule.match.endswith("/"):
                table[rule.match] = rule.asset
        return table

    def folder(self, folder: str) -> ResolvedAsset | None:
        """The asset of resources directly in ``folder`` (which ends with ``/``): the longest
        matching ``[[resource]]`` prefix, else a catalog asset at or above it."""
        for rule in self.rules:
            if folder.startswith(rule.match) or (
                not rule.match.endswith("/") and folder.startswith(rule.match + "/")
            ):
                return rule.asset
        return self._resolve_dir(folder.rstrip("/"))

    def infer(self, uri: str | None) -> ResolvedAsset | None:
        """The policy's view of a resource nothing maps (``None`` without a policy)."""
        if self.inferrer is None:
            return None
        found = self.inferrer.infer(uri)
        if found is None:
            return None
        return ResolvedAsset(None, found.name, found.kind, found.sensitivity, False, found.reason)

    def network(self, ip: str | None) -> str | None:
        """The label of the ``[[network]]`` holding ``ip``, else ``private``/``public``."""
        address = parse_address(ip)
        if address is None:
            return None
        for label in self.networks:
            if address.version == label.network.version and address in label.network:
                return label.country
        return "private" if is_internal(address) else "public"


def load_resolver(
    workspace_root: Path, catalog: Catalog | None, policy: Policy | None = None
) -> Resolver:
    """The resolver of a workspace: its ``resources.toml``, its catalog's assets and the
    sensitivity ``policy`` for the rest (the packaged default policy when ``None``)."""
    by_uri: dict[str, ResolvedAsset] = {}
    stored = catalog.assets.find() if catalog is not None else []
    for asset in stored:
        by_uri[asset.uri.rstrip("/")] = ResolvedAsset(
            asset.id,
            asset.name,
            asset.kind.value,
            asset.sensitivity.value,
            reason=f"catalog asset {asset.id}",
        )
    path = workspace_root / RESOURCES_FILE
    rules: list[ResourceRule] = []
    networks: list[NetworkLabel] = []
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise PolicyError(f"{path}: not valid TOML: {exc}") from exc
        for index, entry in enumerate(data.get("resource", []), 1):
            rules.append(_rule(entry, f"{path}: resource #{index}", catalog))
        for index, entry in enumerate(data.get("network", []), 1):
            networks.append(_network(entry, f"{path}: network #{index}"))
    return Resolver(rules, by_uri, networks, policy or default_policy())


def _rule(entry: Any, where: str, catalog: Catalog | None) -> ResourceRule:
    if not isinstance(entry, dict) or not isinstance(entry.get("match"), str):
        raise PolicyError(f"{where}: needs a 'match' string (a URI or path prefix)")
    match = entry["match"]
    base: ResolvedAsset | None = None
    ref = entry.get("asset")
    if ref is not None and catalog is not None:
        try:
            stored = catalog.assets.get(str(ref))
        except InputError:
            stored = None
        if stored is not None:
            base = ResolvedAsset(
                stored.id, stored.name, stored.kind.value, stored.sensitivity.value
            )
    try:
        sensitivity = Sensitivity.parse(
            entry.get("sensitivity") or (base.sensitivity if base else "internal")
        )
        kind = AssetKind(str(entry.get("kind") or (base.kind if base else "other")))
    except ValueError as exc:
        raise PolicyError(f"{where}: {exc}") from exc
    canary = entry.get("canary", False)
    if not isinstance(canary, bool):
        raise PolicyError(f"{where}: 'canary' must be true or false")
    name = str(entry.get("name") or (base.name if base else match))
    return ResourceRule(
        match,
        ResolvedAsset(
            base.asset_id if base else None,
            name,
            kind.value,
            sensitivity.value,
            canary,
            f"{RESOURCES_FILE}: {match}",
        ),
    )


def _network(entry: Any, where: str) -> NetworkLabel:
    if not isinstance(entry, dict) or not isinstance(entry.get("cidr"), str):
        raise PolicyError(f"{where}: needs a 'cidr' string such as '10.0.0.0/8'")
    try:
        network = ipaddress.ip_network(entry["cidr"], strict=False)
    except ValueError as exc:
        raise PolicyError(f"{where}: {exc}") from exc
    return NetworkLabel(network, str(entry.get("country") or entry.get("label") or "labelled"))
