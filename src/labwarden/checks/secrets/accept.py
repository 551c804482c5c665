"""Accept what a scan finds now into a secrets baseline (``inspect secrets --update-baseline``)."""

from __future__ import annotations

from pathlib import Path

from labwarden.checks.secrets.baseline import Baseline
from labwarden.checks.secrets.check import SecretsCheck
from labwarden.checks.standalone import inspect_paths


def write_baseline(path: Path, paths: list[str]) -> tuple[int, list[str]]:
    """Scan ``paths`` for secrets and accept every finding into the baseline at ``path``.

    Returns how many secrets the baseline now holds, and the scan's errors.
    """
    result = inspect_paths(paths, [SecretsCheck(use_workspace_baseline=False)])
    baseline = Baseline.load(path)
    count = baseline.update(result.findings)
    baseline.save()
    return count, result.errors
