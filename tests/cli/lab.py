"""What CLI tests share: running ``labwarden`` as a real process; a small lab with findings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PICKLE_RUNNING_A_COMMAND = b"cos\nsystem\n(S'echo hi'\ntR."
"""A protocol-0 pickle whose GLOBAL imports os.system (never loaded, only scanned)."""

CODE_WITH_KEYS = (
    "import boto3\n"
    'AWS_ACCESS_KEY_ID = "AKIAQ3EGYT7PLMNV5ZXC"\n'
    'AWS_SECRET_ACCESS_KEY = "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"\n'
)


def run(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m labwarden ARGS`` with the workspace variable cleared unless ``env`` sets it."""
    environ = {k: v for k, v in os.environ.items() if k != "LABWARDEN_WORKSPACE"}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "labwarden", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environ,
        input=stdin,
        check=False,
    )


def small_lab(root: Path) -> Path:
    """A folder with a model that runs a command when loaded and training code holding keys."""
    (root / "models" / "m").mkdir(parents=True)
    (root / "models" / "m" / "model.pkl").write_bytes(PICKLE_RUNNING_A_COMMAND)
    (root / "code").mkdir()
    (root / "code" / "train.py").write_text(CODE_WITH_KEYS)
    return root
