# ruff: noqa: D102  (the members of the two protocols are described by their classes)
"""What code assets depend on, in the CycloneDX BOM (with cyclonedx-python-lib): third-party
packages (``library``) and container images (``container``) as components with package URLs,
the ``dependencies`` graph from each code asset to them, and their known vulnerabilities.

The dependencies are data the code check exposes (:mod:`labwarden.checks.code`); this module
only needs their shape (:class:`Package`, :class:`Advisory`), so that reports do not import checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol
from urllib.parse import quote

from cyclonedx.model import (
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    Property,
    XsUri,
)
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.impact_analysis import ImpactAnalysisAffectedStatus
from cyclonedx.model.vulnerability import (
    BomTarget,
    BomTargetVersionRange,
    Vulnerability,
    VulnerabilityAdvisory,
    VulnerabilityRating,
    VulnerabilityReference,
    VulnerabilityScoreSource,
    VulnerabilitySeverity,
    VulnerabilitySource,
)
from packageurl import PackageURL

from labwarden.core.events import parse_iso_time
from labwarden.core.values import Severity


class Package(Protocol):
    """A dependency as :class:`labwarden.checks.code.interface.Dependency` describes it."""

    @property
    def ecosystem(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def version(self) -> str | None: ...
    @property
    def purl(self) -> str: ...
    @property
    def hashes(self) -> tuple[str, ...]: ...
    @property
    def url(self) -> str | None: ...
    @property
    def source(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def member(self) -> str | None: ...
    @property
    def specifier(self) -> str: ...


class Advisory(Protocol):
    """A known vulnerability as :class:`labwarden.checks.code.interface.Vulnerability` has it."""

    @property
    def id(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...
    @property
    def summary(self) -> str: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def score(self) -> float | None: ...
    @property
    def vector(self) -> str | None: ...
    @property
    def fixed(self) -> tuple[str, ...]: ...
    @property
    def references(self) -> tuple[str, ...]: ...
    @property
    def published(self) -> str | None: ...
    @property
    def modified(self) -> str | None: ...


@dataclass(slots=True)
class AssetDependencies:
    """One code asset's dependencies and the advisories that affect them."""

    asset_ref: str
    """The ``bom-ref`` of the asset's component (``labwarden:asset:<id>``)."""
    packages: Sequence[Package] = ()
    affected: Sequence[tuple[Package, Advisory]] = ()


_HASHES = {"sha256": HashAlgorithm.SHA_256, "sha384": HashAlgorithm.SHA_384}
_HASHES |= {"sha512": HashAlgorithm.SHA_512, "md5": HashAlgorithm.MD5}
_METHODS = {
    "CVSS:3.0": VulnerabilityScoreSource.CVSS_V3,
    "CVSS:3.1": VulnerabilityScoreSource.CVSS_V3_1,
}


def _ref(package: Package) -> str:
    return f"labwarden:dependency:{package.purl}"


def _component(package: Package, places: list[Package]) -> Component:
    component = Component(
        type=ComponentType.CONTAINER if package.ecosystem == "docker" else ComponentType.LIBRARY,
        name=package.key,
        version=package.version,
        purl=PackageURL.from_string(package.purl),
        bom_ref=_ref(package),
    )
    for place in places:
        for item in place.hashes:
            algorithm, _, digest = item.partition(":")
            if algorithm.lower() in _HASHES and digest:
                component.hashes.add(HashType(alg=_HASHES[algorithm.lower()], content=digest))
    if package.url:
        vcs = package.url.startswith(("git+", "hg+", "svn+", "bzr+"))
        kind = ExternalReferenceType.VCS if vcs else ExternalReferenceType.DISTRIBUTION
        component.external_references.add(ExternalReference(type=kind, url=XsUri(package.url)))
    component.properties.add(Property(name="labwarden:ecosystem", value=package.ecosystem))
    for place in places:
        where = f"{place.source}:{place.line}" + (f" ({place.member})" if place.member else "")
        component.properties.add(Property(name="labwarden:declared-in", value=where))
        if place.specifier:
            component.properties.add(Property(name="labwarden:specifier", value=place.specifier))
    return component


def _time(text: str | None) -> datetime | None:
    try:
        return parse_iso_time(text) if text else None
    except ValueError:
        return None


def _vulnerability(advisory: Advisory, affected: list[Package]) -> Vulnerability:
    rating = VulnerabilityRating(severity=VulnerabilitySeverity(advisory.severity.value))
    if advisory.score is not None and advisory.vector:
        rating = VulnerabilityRating(
            severity=VulnerabilitySeverity(advisory.severity.value),
            score=Decimal(str(advisory.score)),
            method=_METHODS.get(advisory.vector.split("/", 1)[0], VulnerabilityScoreSource.OTHER),
            vector=advisory.vector,
        )
    osv = VulnerabilitySource(
        name="OSV", url=XsUri(f"https://osv.dev/vulnerability/{quote(advisory.id)}")
    )
    return Vulnerability(
        bom_ref=f"labwarden:vulnerability:{advisory.id}",
        id=advisory.id,
        source=osv,
        references=[
            VulnerabilityReference(id=alias, source=VulnerabilitySource(name="OSV"))
            for alias in advisory.aliases
            if alias != advisory.id
        ],
        ratings=[rating],
        description=advisory.summary or None,
        recommendation=(
            f"Upgrade to a fixed version: {', '.join(advisory.fixed)}." if advisory.fixed else None
        ),
        advisories=[VulnerabilityAdvisory(url=XsUri(url)) for url in advisory.references],
        published=_time(advisory.published),
        updated=_time(advisory.modified),
        affects=[
            BomTarget(
                ref=_ref(package),
                versions=[
                    BomTargetVersionRange(
                        version=package.version, status=ImpactAnalysisAffectedStatus.AFFECTED
                    )
                ],
            )
            for package in affected
        ],
    )


def add_dependencies(bom: Bom, assets: Sequence[AssetDependencies]) -> int:
    """Add the packages of ``assets`` to ``bom`` with the graph and advisories; how many."""
    owners = {c.bom_ref.value: c for c in bom.components}
    places: dict[str, list[Package]] = {}
    for item in assets:
        for package in item.packages:
            places.setdefault(_ref(package), []).append(package)
    components = {ref: _component(found[0], found) for ref, found in places.items()}
    bom.components.update(components.values())
    for item in assets:
        owner = owners.get(item.asset_ref)
        if owner is not None:
            bom.register_dependency(owner, [components[_ref(p)] for p in item.packages])
    for component in components.values():
        bom.register_dependency(component, [])
    advisories: dict[str, tuple[Advisory, dict[str, Package]]] = {}
    for item in assets:
        for package, advisory in item.affected:
            advisories.setdefault(advisory.id, (advisory, {}))[1].setdefault(_ref(package), package)
    for advisory, affected in advisories.values():
        bom.vulnerabilities.add(_vulnerability(advisory, list(affected.values())))
    return len(components)
