"""Shared fixtures: a fresh workspace per test, the moto S3 server, corpora (the demo lab is
``tests/demo``'s own: nothing outside the demo's tests uses it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from labwarden.core.workspace import Workspace

# Property tests check correctness, not speed: no per-example deadline, which would make a test
# fail on a loaded machine (two cores shared with xdist workers) for reasons unrelated to the code.
pytest_plugins = ["tests.s3server"]  # the `s3_endpoint` fixture: a moto server on loopback

settings.register_profile("labwarden", deadline=None)
settings.load_profile("labwarden")

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"


def corpora_path(*parts: str) -> Path:
    """A path inside ../shared/corpora; skips the test when the corpora are absent (not in CI)."""
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        import os

        if os.environ.get("CI"):
            pytest.fail(f"CI must have ../shared/corpora, missing {path}")
        pytest.skip(f"needs ../shared/corpora ({path} is absent)")
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """An empty workspace in a temporary folder."""
    return Workspace(tmp_path / "ws" / ".labwarden")
