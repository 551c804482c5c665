"""Seal catalog assets and verify folders against seals: what the CLI and the demo call.

A seal of an asset becomes its next version (v1, v2, ...) in the catalog, with the bundle kept in
the catalog and as a file in ``<workspace>/seals/<asset id>/vN.sigstore.json``.
"""

from __future__ import annotations

import getpass
import logging
import os
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from labwarden.core.errors import InputError, LabwardenError
from labwarden.core.finding import Finding, Location
from labwarden.core.values import Severity
from labwarden.core.workspace import Workspace
from labwarden.seal.errors import SealFormatError, SealRefused, SignatureError
from labwarden.seal.hashing import ProgressSink
from labwarden.seal.keys import PassphraseSource, TrustedKey, load_private
from labwarden.seal.manifest import Manifest, SealedAsset, SealInfo
from labwarden.seal.sign import SealOptions, build_manifest, sign_manifest
from labwarden.seal.verify import Verification, open_seal, verify_folder
from labwarden.store.assets import StoredAsset
from labwarden.store.atomic import atomic_write
from labwarden.store.catalog import Catalog
from labwarden.store.db import utcnow
from labwarden.store.findings import FindingQuery, StoredFinding
from labwarden.store.seals import AssetVersion

log = logging.getLogger(__name__)

_REF = re.compile(r"^(?P<asset>.+?)(?:@v?(?P<version>\d+))?$")

REMEDIATION = (
    "Find out who changed it (labwarden's access analytics); restore the sealed version from a "
    "backup proven with `labwarden verify BACKUP --asset {ref}`, or, if the change is intended, "
    "seal a new version with `labwarden seal {asset}`."
)


def sealed_by() -> str:
    """``user@host`` of whoever runs this."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}"


def seals_dir(workspace: Workspace) -> Path:
    """Where seal bundles are kept as files."""
    return workspace.root / "seals"


def parse_ref(text: str) -> tuple[str, int | None]:
    """Split ``ASSET@vN`` (or ``ASSET@N``, or ``ASSET`` for the latest) into its parts."""
    match = _REF.match(text.strip())
    if not match or not match.group("asset"):
        raise InputError(f"{text!r}: give an asset as ID, ID@vN or NAME@vN")
    version = match.group("version")
    return match.group("asset"), int(version) if version else None


def asset_at(catalog: Catalog, path: Path) -> StoredAsset | None:
    """The active catalog asset whose URI is exactly ``path``, if any."""
    return catalog.assets.at(os.path.abspath(path))  # noqa: PTH100 (keep links as named)


def resolve_asset(
    catalog: Catalog,
    target: str,
    scan: Callable[[Path], None] | None = None,
    hint: str = "seal one of them by id, or scan the folder first",
) -> StoredAsset:
    """The asset named by ``target``: a path (scanned into the catalog if new) or an id/name."""
    path = Path(target).expanduser()
    if os.path.lexists(path):
        found = asset_at(catalog, path)
        if found is None and scan is not None:
            scan(path)
            found = asset_at(catalog, path)
        if found is None:
            below = catalog.assets.under([os.path.abspath(path)])  # noqa: PTH100
            listed = ", ".join(f"{a.id} ({a.name})" for a in below.values()) or "none"
            raise InputError(
                f"{target}: not one asset in the catalog (assets below it: {listed}); {hint}"
            )
        return found
    return catalog.assets.get(target)


def _local_root(asset: StoredAsset) -> Path:
    if "://" in asset.uri and not asset.uri.startswith("file://"):
        raise InputError(f"asset {asset.id} ({asset.uri}): only local assets can be sealed")
    return Path(asset.uri.removeprefix("file://"))


@dataclass(slots=True)
class SealOutcome:
    """A new sealed version."""

    asset: StoredAsset
    version: AssetVersion
    manifest: Manifest
    seal_path: Path
    copies: list[Path] = field(default_factory=list)
    overridden: list[StoredFinding] = field(default_factory=list)
    """Open critical findings the asset was sealed with (``force``)."""


def _refusal(asset: StoredAsset, blocking: list[StoredFinding]) -> str:
    shown = "; ".join(
        f"finding {b.id} {b.finding.check}/{b.finding.rule}: {b.finding.message}"
        for b in blocking[:3]
    )
    more = f" and {len(blocking) - 3} more" if len(blocking) > 3 else ""
    return (
        f"asset {asset.id} ({asset.name}) has {len(blocking)} open critical finding(s): "
        f"{shown}{more}. Not sealed: a seal would vouch for it. Fix it and rescan, accept the "
        "risk (`labwarden findings accept ID --reason ...`), or seal anyway with --force"
    )


def _inside(child: Path, root: Path) -> str | None:
    child, root = child.absolute(), root.absolute()
    if child != root and child.is_relative_to(root):
        return child.relative_to(root).as_posix()
    return None


def seal_asset(
    workspace: Workspace,
    catalog: Catalog,
    asset: StoredAsset,
    key_name: str,
    passphrase: PassphraseSource | None,
    options: SealOptions,
    *,
    output: Path | None = None,
    by: str | None = None,
    progress: ProgressSink | None = None,
    force: bool = False,
) -> SealOutcome:
    """Hash the asset's folder, sign the manifest and record it as the asset's next version.

    An asset with open critical findings (not accepted, not fixed) is refused with
    :class:`SealRefused` unless ``force``; the outcome then lists them in ``overridden``.
    """
    root = _local_root(asset)
    if not os.path.lexists(root):
        raise InputError(f"{root}: asset {asset.id} no longer exists on disk")
    blocking = catalog.findings.all(
        FindingQuery(asset_ids=(asset.id,), min_severity=Severity.CRITICAL)
    )
    if blocking and not force:
        raise SealRefused(_refusal(asset, blocking))
    key, key_info = load_private(workspace, key_name, passphrase)
    extra: dict[str, str] = {}
    if (rel := _inside(workspace.root, root)) is not None:
        extra[rel] = "the labwarden workspace"
    if output is not None and (rel := _inside(output, root)) is not None:
        extra[rel] = "the seal file itself"
    manifest = build_manifest(root, options, extra_ignore=extra, name=asset.name, progress=progress)
    who = by or sealed_by()
    with catalog.transaction():
        number = catalog.seals.next_number(asset.id)
        at = utcnow()
        manifest.info = SealInfo(
            at, who, SealedAsset(asset.id, asset.uri, asset.name, asset.kind.value, number)
        )
        data = sign_manifest(manifest, key, key_info)
        seal_path = seals_dir(workspace) / str(asset.id) / f"v{number}.sigstore.json"
        atomic_write(seal_path, data)
        version = catalog.seals.add(
            AssetVersion(
                id=0,
                asset_id=asset.id,
                version=number,
                sealed_at=at,
                sealed_by=who,
                key_name=key_info.name,
                key_fingerprint=key_info.fingerprint,
                key_type=key_info.type,
                algorithm=manifest.algorithm,
                method=manifest.method,
                root_digest=manifest.root_digest(),
                file_count=len(manifest.files),
                size=manifest.size,
                excluded_count=len(manifest.excluded),
                seal_path=str(seal_path),
                bundle=data.decode("utf-8"),
            ),
        )
    outcome = SealOutcome(asset, version, manifest, seal_path, overridden=blocking)
    if output is not None:
        atomic_write(output, data)
        outcome.copies.append(output)
    return outcome


def verify_version(
    catalog: Catalog,
    asset: StoredAsset,
    version: AssetVersion,
    trusted: list[TrustedKey],
    target: Path | None = None,
    progress: ProgressSink | None = None,
) -> Verification:
    """Verify ``target`` (default: the asset itself) against a sealed version of the catalog."""
    source = f"seal {version.ref} ({version.seal_path})"
    opened = open_seal(version.bundle.encode("utf-8"), source, trusted)
    sealed = opened.manifest.info.asset if opened.manifest.info else None
    if (
        opened.root_digest != version.root_digest
        or sealed is None
        or (sealed.id, sealed.version) != (asset.id, version.version)
    ):
        other = f"asset {sealed.ref} ({sealed.uri})" if sealed else "an unnamed folder"
        raise SignatureError(
            f"{source}: the signed manifest is for {other}, not for asset {version.ref}: "
            "the catalog record was swapped or edited"
        )
    result = verify_folder(
        target if target is not None else _local_root(asset), opened, progress=progress
    )
    catalog.seals.record_verification(
        version.id,
        str(result.target),
        "verified" if result.verified else "mismatch",
        {"counts": result.counts()},
    )
    return result


def verify_seal_file(
    catalog: Catalog | None,
    target: Path,
    seal_file: Path,
    trusted: list[TrustedKey],
    progress: ProgressSink | None = None,
) -> Verification:
    """Verify ``target`` against a seal file (ours or model-signing's)."""
    try:
        data = seal_file.read_bytes()
    except OSError as exc:
        raise InputError(f"{seal_file}: cannot read the seal: {exc.strerror}") from exc
    opened = open_seal(data, str(seal_file), trusted)
    sealed = opened.manifest.info.asset if opened.manifest.info else None
    here = asset_at(catalog, target) if catalog is not None else None
    if sealed is not None and here is not None and here.id != sealed.id:
        raise SignatureError(
            f"{seal_file}: the seal is for asset {sealed.ref} ({sealed.uri}), not for asset "
            f"{here.id} at {target}"
        )
    return verify_folder(target, opened, seal_file=seal_file, progress=progress)


@dataclass(slots=True)
class AssetCheck:
    """The outcome of re-verifying one sealed asset in ``verify --all``."""

    asset: StoredAsset
    version: AssetVersion
    verification: Verification | None
    error: str | None
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        """Verified with no error."""
        return self.error is None and self.verification is not None and self.verification.verified


def drift_findings(
    asset: StoredAsset, version: AssetVersion, verification: Verification
) -> list[Finding]:
    """One finding per change between the sealed version and the asset on disk."""
    severity = {
        "modified": Severity.HIGH,
        "removed": Severity.HIGH,
        "renamed": Severity.MEDIUM,
        "added": Severity.MEDIUM,
    }
    remediation = REMEDIATION.format(ref=version.ref, asset=asset.id)
    base = str(verification.target)
    found: list[Finding] = []
    for change in verification.changes:
        path = base if change.path == "." else f"{base}/{change.path}"
        detail = change.detail
        if change.tensors is not None:
            detail = f"{detail}; {change.tensors.summary()}"
        found.append(
            Finding(
                check="seal",
                rule=f"seal.{change.kind}",
                severity=severity[change.kind],
                location=Location(
                    path, member=", ".join(change.tensors.changed[:5]) if change.tensors else None
                ),
                message=f"{change.kind} since seal {version.ref}: {change.path} ({detail})",
                remediation=remediation,
                evidence={"version": version.ref, "root_digest": version.root_digest}
                | change.to_dict(),
                asset_id=asset.id,
            )
        )
    return found


def _error_finding(asset: StoredAsset, version: AssetVersion, exc: LabwardenError) -> Finding:
    signature = isinstance(exc, SignatureError | SealFormatError)
    message = exc.message
    return Finding(
        check="seal",
        rule="seal.signature" if signature else "seal.unverifiable",
        severity=Severity.CRITICAL if signature else Severity.HIGH,
        location=Location(asset.uri),
        message=f"seal {version.ref} cannot be verified: {message}",
        remediation=REMEDIATION.format(ref=version.ref, asset=asset.id),
        evidence={"version": version.ref, "root_digest": version.root_digest},
        asset_id=asset.id,
    )


def reverify_version(
    catalog: Catalog, asset: StoredAsset, version: AssetVersion, trusted: list[TrustedKey]
) -> AssetCheck:
    """Verify the asset where it is against ``version``; drift and errors become findings
    (recorded, like the verification itself, in the catalog)."""
    verification: Verification | None = None
    error: str | None = None
    try:
        verification = verify_version(catalog, asset, version, trusted)
        findings = drift_findings(asset, version, verification)
    except LabwardenError as exc:
        log.info("asset %s: %s", asset.id, exc.message)
        error = exc.message
        findings = [_error_finding(asset, version, exc)]
        catalog.seals.record_verification(version.id, asset.uri, "error", {"error": error})
    # Verification runs are not scans: their findings carry no scan id.
    catalog.findings.record(asset.id, ["seal"], findings, None)
    return AssetCheck(asset, version, verification, error, findings)


def verify_all(catalog: Catalog, trusted: list[TrustedKey]) -> list[AssetCheck]:
    """Re-verify the newest seal of every sealed asset; drift and errors become findings."""
    return [
        reverify_version(catalog, catalog.assets.get(str(version.asset_id)), version, trusted)
        for version in catalog.seals.latest()
    ]


def version_for(catalog: Catalog, ref: str) -> tuple[StoredAsset, AssetVersion]:
    """The asset and sealed version named by ``ID@vN`` (latest version without ``@vN``)."""
    asset_ref, number = parse_ref(ref)
    asset = catalog.assets.get(asset_ref)
    return asset, catalog.seals.get(asset.id, number)
