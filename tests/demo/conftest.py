"""The demo lab, built once per session: only the demo's own tests use it (nothing outside
``tests/demo`` imports :mod:`labwarden.demo`)."""

from __future__ import annotations

import pytest

from labwarden.demo.lab import Lab, build_lab


@pytest.fixture(scope="session")
def demo_lab(tmp_path_factory: pytest.TempPathFactory) -> Lab:
    """The demo lab, built once per test session; tests must not modify it."""
    return build_lab(tmp_path_factory.mktemp("demo") / "lab")
