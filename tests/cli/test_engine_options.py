"""``--engine`` and ``--spark-master`` as a user runs them: options that do not go together are
usage errors (exit 2, a message, no traceback), before any engine starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def run(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "labwarden", "-w", str(ws), *args],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("detect", "--lake", "s3a://lab/lake"), "only the Spark engine reads a lake by URL"),
        (("detect", "--spark-master", "local[1]"), "--spark-master needs --engine spark"),
        (("incident", "timeline", "1", "--spark-master", "local[1]"), "needs --engine spark"),
        (("incident", "scope", "1", "--spark-master", "local[1]"), "needs --engine spark"),
        (("incident", "report", "1", "--spark-master", "local[1]"), "needs --engine spark"),
    ],
)
def test_spark_options_without_spark(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    ws = tmp_path / ".labwarden"
    assert run(ws, "incident", "open", "t").returncode == 0
    result = run(ws, *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
