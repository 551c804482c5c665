"""The permissions check: who else on this machine can read or replace an asset.

File modes and owners come from the inventory's records; folder modes are read with
``os.lstat`` (the inventory does not record them). Findings are grouped per asset and rule,
so a dataset of a thousand world-readable shards is one finding listing them.
"""

from __future__ import annotations

import os
import stat
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence

from labwarden.checks.interface import CheckContext
from labwarden.checks.permissions.interface import (
    MAX_LISTED,
    NAME,
    PRIVATE_KEY_FORMATS,
    PermissionRule,
)
from labwarden.checks.permissions.rules import (
    CREDENTIAL_GROUP,
    CREDENTIAL_WORLD,
    FILE_WRITABLE,
    FOLDER_WRITABLE,
    MODEL_FOLDER_WRITABLE,
    ODD_OWNER,
    ORPHAN_OWNER,
    PRIVATE_KEY_EXPOSED,
    RESTRICTED_GROUP,
    RESTRICTED_WORLD,
)
from labwarden.core.asset import Asset, FileRecord
from labwarden.core.finding import Finding, Location
from labwarden.core.values import AssetKind, Sensitivity
from labwarden.inventory.policy import default_policy


class PermissionsCheck:
    """Loose modes on restricted assets and keys, world-writable models, odd owners.

    ``expected_owners`` (user names) makes any other owner a finding; without it, a file owned
    by a different user than the rest of its asset is one.
    """

    name = NAME
    description = "readable secrets and restricted data, world-writable models, unexpected owners"

    def __init__(self, expected_owners: Sequence[str] = ()) -> None:
        self.expected_owners = frozenset(expected_owners)

    def applies_to(self, asset: Asset) -> bool:
        """Every asset that has local files."""
        return bool(asset.files)

    def run(self, asset: Asset, context: CheckContext) -> Iterator[Finding]:
        """The permission findings of ``asset``."""
        sensitivity = asset.sensitivity
        if not asset.reasons:  # not classified (standalone inspection): use the default policy
            sensitivity, _ = default_policy().classify(asset)
        groups: dict[PermissionRule, list[tuple[str, str]]] = defaultdict(list)
        for record in asset.files:
            for rule, detail in self._file_rules(asset, record, sensitivity):
                groups[rule].append((record.path, detail))
        for rule, detail_path in self._owner_rules(asset):
            groups[rule].append(detail_path)
        for rule, folder, detail in self._folder_rules(asset, sensitivity):
            groups[rule].append((folder, detail))
        for rule, items in groups.items():
            yield _finding(asset, rule, items, sensitivity)

    def _file_rules(
        self, asset: Asset, record: FileRecord, sensitivity: Sensitivity
    ) -> Iterator[tuple[PermissionRule, str]]:
        mode = record.mode & 0o7777
        text = f"mode {mode:04o}, owner {record.owner}"
        is_key = record.format in PRIVATE_KEY_FORMATS
        is_credential = record.kind is AssetKind.CREDENTIALS or is_key
        if is_key and mode & 0o077:
            yield PRIVATE_KEY_EXPOSED, text
        elif is_credential and mode & 0o004:
            yield CREDENTIAL_WORLD, text
        elif is_credential and mode & 0o040:
            yield CREDENTIAL_GROUP, text
        elif sensitivity is Sensitivity.RESTRICTED and mode & 0o004:
            yield RESTRICTED_WORLD, text
        elif sensitivity is Sensitivity.RESTRICTED and mode & 0o040:
            yield RESTRICTED_GROUP, text
        if mode & 0o002 and asset.kind is not AssetKind.OTHER:
            yield FILE_WRITABLE, text

    def _owner_rules(self, asset: Asset) -> Iterator[tuple[PermissionRule, tuple[str, str]]]:
        owners = Counter(f.owner for f in asset.files)
        majority, count = owners.most_common(1)[0]
        for record in asset.files:
            text = f"owner {record.owner} (uid {record.uid})"
            if record.owner == str(record.uid):
                yield ORPHAN_OWNER, (record.path, text)
            elif self.expected_owners and record.owner not in self.expected_owners:
                allowed = ", ".join(sorted(self.expected_owners))
                yield ODD_OWNER, (record.path, f"{text}; expected {allowed}")
            elif (
                not self.expected_owners
                and record.owner != majority
                and len(asset.files) >= 3
                and count >= 0.8 * len(asset.files)
            ):
                yield ODD_OWNER, (record.path, f"{text}; the rest of the asset is {majority}'s")

    def _folder_rules(
        self, asset: Asset, sensitivity: Sensitivity
    ) -> Iterator[tuple[PermissionRule, str, str]]:
        guarded = asset.kind in (AssetKind.MODEL, AssetKind.CREDENTIALS, AssetKind.CODE) or (
            sensitivity >= Sensitivity.CONFIDENTIAL
        )
        if not guarded:
            return
        for folder in _folders(asset):
            mode = _folder_mode(folder)
            if mode is None or not mode & 0o002 or mode & stat.S_ISVTX:
                continue
            text = f"folder mode {mode & 0o7777:04o}"
            rule = MODEL_FOLDER_WRITABLE if asset.kind is AssetKind.MODEL else FOLDER_WRITABLE
            yield rule, folder, text


def _folders(asset: Asset) -> list[str]:
    """The folders whose modes decide who can replace the asset's files."""
    found: set[str] = set()
    top = asset.uri if asset.grouping != "file" else _parent(asset.uri)
    for record in asset.files:
        folder = _parent(record.path)
        while folder and folder not in found:
            found.add(folder)
            if folder == top or len(folder) <= len(top):
                break
            folder = _parent(folder)
    return sorted(found)


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _folder_mode(folder: str) -> int | None:
    try:
        return os.lstat(folder).st_mode
    except OSError:
        return None


def _finding(
    asset: Asset, rule: PermissionRule, items: Iterable[tuple[str, str]], sensitivity: Sensitivity
) -> Finding:
    listed = list(items)
    first_path, first_detail = listed[0]
    what = "restricted " if sensitivity is Sensitivity.RESTRICTED else ""
    if len(listed) == 1:
        message = f"{rule.summary}: {first_detail}"
    else:
        message = f"{rule.summary}: {len(listed)} paths of {what}{asset.kind.value} {asset.name}"
    return Finding(
        check=NAME,
        rule=rule.id,
        severity=rule.severity,
        location=Location(first_path),
        message=message,
        remediation=rule.remediation,
        evidence={
            "paths": [{"path": p, "detail": d} for p, d in listed[:MAX_LISTED]],
            "count": len(listed),
            "asset_sensitivity": sensitivity.value,
        },
        asset_id=asset.id,
    )
