"""Debian's chromium, headless, driven by Playwright (no browser download: the system one)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = (
    Path(
        os.environ.get(
            "LABWARDEN_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / ".artifacts"
        )
    )
    / "web"
)


def chromium() -> str:
    """The system chromium; skips (fails in CI, where .ci/run installs it) when it is absent."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have Debian's chromium at {CHROMIUM} (.ci/run installs it)")
        pytest.skip(f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@contextmanager
def browser(width: int = 1280, height: int = 900) -> Iterator[BrowserContext]:
    """A fresh headless chromium profile with a ``width`` x ``height`` window."""
    executable = chromium()
    profile = tempfile.mkdtemp(prefix="lw-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=executable,
                headless=True,
                args=FLAGS,
                viewport={"width": width, "height": height},
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def screenshot_path(name: str) -> Path:
    """Where a screenshot artifact goes (``$LABWARDEN_TEST_ARTIFACTS/web/NAME.png``)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"
