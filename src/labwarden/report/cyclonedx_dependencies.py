"""What code assets depend on, in a CycloneDX 1.6 BOM: third-party packages (``library``) and
container images (``container``) as components with package URLs, the ``dependencies`` graph
from each code asset to them, and their known vulnerabilities (``vulnerabilities``).

The document is the one :func:`labwarden.report.cyclonedx.build_bom` builds; this module only
adds to it, so it works on whatever writer produced the inventory part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from labwarden.checks.code.interface import Dependency, Match, Vulnerability

_HASH_ALGORITHMS = {"sha256": "SHA-256", "sha384": "SHA-384", "sha512": "SHA-512", "md5": "MD5"}


@dataclass(slots=True)
class AssetDependencies:
    """One code asset's dependencies and the vulnerabilities matched against them."""

    asset_ref: str
    """The ``bom-ref`` of the asset's component (``labwarden:asset:<id>``)."""
    dependencies: list[Dependency] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)


def _ref(dep: Dependency) -> str:
    return f"labwarden:dependency:{dep.purl}"


def _hashes(dep: Dependency) -> list[dict[str, str]]:
    found = []
    for item in dep.hashes:
        algorithm, _, digest = item.partition(":")
        if algorithm.lower() in _HASH_ALGORITHMS and digest:
            found.append({"alg": _HASH_ALGORITHMS[algorithm.lower()], "content": digest.lower()})
    return found


def _component(dep: Dependency, places: list[Dependency]) -> dict[str, Any]:
    component: dict[str, Any] = {
        "type": "container" if dep.ecosystem == "docker" else "library",
        "bom-ref": _ref(dep),
        "name": dep.key,
        "purl": dep.purl,
    }
    if dep.version:
        component["version"] = dep.version
    hashes = {h["content"]: h for d in places for h in _hashes(d)}
    if hashes:
        component["hashes"] = list(hashes.values())
    if dep.url:
        kind = "vcs" if dep.url.startswith(("git+", "hg+", "svn+", "bzr+")) else "distribution"
        component["externalReferences"] = [{"type": kind, "url": dep.url}]
    properties = [{"name": "labwarden:ecosystem", "value": dep.ecosystem}]
    for place in places:
        where = f"{place.source}:{place.line}" + (f" ({place.member})" if place.member else "")
        properties.append({"name": "labwarden:declared-in", "value": where})
        if place.specifier:
            properties.append({"name": "labwarden:specifier", "value": place.specifier})
    component["properties"] = properties
    return component


_RATING_METHODS = {"CVSS:3.0": "CVSSv3", "CVSS:3.1": "CVSSv31"}


def _ratings(vuln: Vulnerability) -> list[dict[str, Any]]:
    rating: dict[str, Any] = {"severity": vuln.severity.value}
    if vuln.score is not None and vuln.vector:
        rating.update(
            score=vuln.score,
            vector=vuln.vector,
            method=_RATING_METHODS.get(vuln.vector.split("/", 1)[0], "other"),
        )
    return [rating]


def _vulnerability(vuln: Vulnerability, affected: list[Dependency]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "bom-ref": f"labwarden:vulnerability:{vuln.id}",
        "id": vuln.id,
        "source": {"name": "OSV", "url": f"https://osv.dev/vulnerability/{quote(vuln.id)}"},
        "references": [
            {"id": alias, "source": {"name": "OSV"}} for alias in vuln.aliases if alias != vuln.id
        ],
        "ratings": _ratings(vuln),
        "description": vuln.summary,
        "advisories": [{"url": url} for url in vuln.references],
        "affects": [
            {
                "ref": _ref(dep),
                "versions": [{"version": dep.version or "", "status": "affected"}],
            }
            for dep in affected
        ],
    }
    if vuln.fixed:
        entry["recommendation"] = f"Upgrade to a fixed version: {', '.join(vuln.fixed)}."
    for key, value in (("published", vuln.published), ("updated", vuln.modified)):
        if value:
            entry[key] = value
    return {k: v for k, v in entry.items() if v not in ([], "")}


def add_dependencies(document: dict[str, Any], assets: Sequence[AssetDependencies]) -> int:
    """Add the dependencies of ``assets`` to a CycloneDX document; the number of components."""
    places: dict[str, list[Dependency]] = {}
    first: dict[str, Dependency] = {}
    graph: dict[str, list[str]] = {}
    affected: dict[str, tuple[Vulnerability, dict[str, Dependency]]] = {}
    for item in assets:
        refs = graph.setdefault(item.asset_ref, [])
        for dep in item.dependencies:
            ref = _ref(dep)
            first.setdefault(ref, dep)
            places.setdefault(ref, []).append(dep)
            if ref not in refs:
                refs.append(ref)
        for match in item.matches:
            _, deps = affected.setdefault(match.vulnerability.id, (match.vulnerability, {}))
            deps.setdefault(_ref(match.dependency), match.dependency)
    components = [_component(first[ref], places[ref]) for ref in first]
    document.setdefault("components", []).extend(components)
    if graph:
        document.setdefault("dependencies", []).extend(
            [{"ref": ref, "dependsOn": sorted(set(deps))} for ref, deps in graph.items()]
            + [{"ref": ref} for ref in first]
        )
    if affected:
        document.setdefault("vulnerabilities", []).extend(
            _vulnerability(vuln, list(deps.values())) for vuln, deps in affected.values()
        )
    return len(components)
