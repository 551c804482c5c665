"""What the workspace's catalog knows to be on this host: models, datasets, trial data.

The one place triage reads the catalog (so that the catalog's store can change under it).
"""

from __future__ import annotations

import logging

from labwarden.core.errors import LabwardenError
from labwarden.core.values import AssetKind
from labwarden.core.workspace import Workspace
from labwarden.respond.triage.rules.base import SensitivePath
from labwarden.store.catalog import Catalog

log = logging.getLogger(__name__)

CROWN_JEWELS = {AssetKind.MODEL, AssetKind.DATASET, AssetKind.CODE, AssetKind.LOG}


def sensitive_paths(workspace: Workspace | None, root: str | None = None) -> list[SensitivePath]:
    """Local catalog assets that are models, datasets, code or logs (longest paths first).

    With ``root`` (an image mounted there) an asset's path is also known by its path in the
    image, as the image's histories name it.
    """
    if workspace is None or not workspace.exists:
        return []
    try:
        with Catalog.open(workspace) as catalog:
            assets = catalog.assets.find()
    except LabwardenError as exc:
        log.warning("catalog not read: %s", exc.message)
        return []
    found = []
    for asset in assets:
        if asset.kind not in CROWN_JEWELS or "://" in asset.uri.removeprefix("file://"):
            continue
        path = asset.uri.removeprefix("file://")
        names = [path]
        if root and path.startswith(root.rstrip("/") + "/"):
            names.append(path[len(root.rstrip("/")) :])
        for name in names:
            found.append(
                SensitivePath(name, asset.name, asset.kind.value, asset.sensitivity.value, asset.id)
            )
    return sorted(found, key=lambda s: -len(s.path))
