"""Fixtures: one served lab per test module (the server is a real ``labwarden serve``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.lab import Lab, build, serve


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A scanned, ingested and detected workspace served on a free loopback port."""
    root = tmp_path_factory.mktemp("weblab")
    served = serve(build(root), root / "serve.log")
    try:
        yield served
    finally:
        served.stop()
