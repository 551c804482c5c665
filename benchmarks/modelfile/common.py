"""Shared helpers of the model-file benchmarks: where the peers live and how to run them."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "benchmarks" / ".work"
PEERS = WORK / "peers"
CORPUS = ROOT.parent / "shared" / "corpora" / "models"
PEER_TOOLS = ("picklescan", "modelscan", "fickling", "modelaudit")


def ensure_peers() -> Path:
    """The benchmark-only venv with the peer scanners (created on first use, never a dependency)."""
    bin_dir = PEERS / "bin"
    if not (bin_dir / "modelaudit").exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        subprocess.run(
            [str(bin_dir / "pip"), "install", "--quiet", *PEER_TOOLS],
            check=True,
        )
    return bin_dir


def labwarden_bin() -> Path:
    """The labwarden console script of this checkout's venv."""
    return ROOT / ".venv" / "bin" / "labwarden"


@dataclass
class Timed:
    """One timed command."""

    seconds: float
    returncode: int | None
    stdout: str
    stderr: str
    cpu: float = 0.0
    """User plus system CPU seconds of the command and its children."""

    @property
    def timed_out(self) -> bool:
        """Whether the command hit its time limit."""
        return self.returncode is None


def timed(cmd: list[str], timeout: float = 600.0, cwd: Path | None = None) -> Timed:
    """Run ``cmd`` and measure its wall time (``returncode`` None on time-out)."""
    env = {**os.environ, "PROMPTFOO_DISABLE_TELEMETRY": "1", "NO_COLOR": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, check=False, cwd=cwd, env=env
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return Timed(time.perf_counter() - start, None, out, "")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(time.perf_counter() - start, done.returncode, done.stdout, done.stderr, cpu)
