"""The permission rules as data: ids, severities, messages and remediations."""

from __future__ import annotations

from labwarden.checks.permissions.interface import PermissionRule
from labwarden.core.values import Severity

PRIVATE_KEY_EXPOSED = PermissionRule(
    "private-key-loose-mode",
    Severity.CRITICAL,
    "private key readable by other users",
    "chmod 600 the key (ssh refuses keys others can read); replace it if others could copy it.",
)
CREDENTIAL_WORLD = PermissionRule(
    "credential-world-readable",
    Severity.HIGH,
    "credential file readable by every local user",
    "chmod 600 the file and rotate what it holds if other users could have read it.",
)
CREDENTIAL_GROUP = PermissionRule(
    "credential-group-readable",
    Severity.MEDIUM,
    "credential file readable by its group",
    "chmod 600 the file unless the whole group must use this credential.",
)
RESTRICTED_WORLD = PermissionRule(
    "restricted-world-readable",
    Severity.HIGH,
    "restricted asset readable by every local user",
    "Remove read access for others (chmod o-r) and limit access to the project group.",
)
RESTRICTED_GROUP = PermissionRule(
    "restricted-group-readable",
    Severity.LOW,
    "restricted asset readable by its group",
    "Check that the owning group holds only people approved for this data.",
)
MODEL_FOLDER_WRITABLE = PermissionRule(
    "world-writable-model-folder",
    Severity.CRITICAL,
    "model folder writable by every local user (anyone can swap the model)",
    "chmod o-w the folder (and its subfolders); seal the model and verify it before loading.",
)
FOLDER_WRITABLE = PermissionRule(
    "world-writable-folder",
    Severity.HIGH,
    "folder writable by every local user (files in it can be replaced)",
    "chmod o-w the folder, or set the sticky bit if it must be shared.",
)
FILE_WRITABLE = PermissionRule(
    "world-writable-file",
    Severity.HIGH,
    "file writable by every local user",
    "chmod o-w the file and check it has not been altered (labwarden verify).",
)
ORPHAN_OWNER = PermissionRule(
    "orphaned-owner",
    Severity.MEDIUM,
    "owned by a user id with no account",
    "chown the files to the right user; a reused uid would inherit them.",
)
ODD_OWNER = PermissionRule(
    "unexpected-owner",
    Severity.MEDIUM,
    "owned by an unexpected user",
    "Check who wrote these files and chown them to the asset's owner.",
)
