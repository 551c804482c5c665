"""Decompression bombs: peak memory and verdict of every tool, side by side in one run.

Run: ``.venv/bin/python -m benchmarks.modelfile.bombs`` (writes bombs.json next to RESULTS.md).

Each bomb inflates to 512 MiB (a pickle whose ``os.system`` call sits after a 512 MiB bytes
argument): a PyTorch zip whose ``data.pkl`` is deflated (about 0.5 MB on disk), a ``.pkl.gz`` and a
zlib ``.joblib``. Every tool runs once per file as a fresh process under ``/usr/bin/time -v``
(peak RSS) with an address-space limit of 8 GiB so that a peer that inflates everything fails
instead of exhausting the shared machine.
"""

from __future__ import annotations

import gzip
import json
import re
import resource
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from benchmarks.modelfile.common import ROOT, WORK, ensure_peers

SIZE = 512 << 20
CHUNK = 16 << 20
LIMIT = 8 << 30
TIMEOUT = 60.0
CASES = WORK / "bombs"


def _payload() -> Iterator[bytes]:
    """``\\x80\\x04`` BINBYTES8 of SIZE zero bytes, POP, then ``os.system('id')``."""
    yield b"\x80\x04\x8e" + SIZE.to_bytes(8, "little")
    zeros = bytes(CHUNK)
    for _ in range(SIZE // CHUNK):
        yield zeros
    yield b"0\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R."


def _write(path: Path, opener: Callable[[BinaryIO], BinaryIO]) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, opener(raw) as out:
        for piece in _payload():
            out.write(piece)


class _Zlib:
    """A write-only zlib stream (joblib's ``compress=('zlib', n)`` layout)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.comp = zlib.compressobj(9)

    def write(self, data: bytes) -> None:
        self.raw.write(self.comp.compress(data))

    def __enter__(self) -> _Zlib:
        return self

    def __exit__(self, *exc: object) -> None:
        self.raw.write(self.comp.flush())


def build() -> list[Path]:
    """The three bombs (built once)."""
    torch = CASES / "bomb_torch.pt"
    if not torch.exists():
        CASES.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(torch, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("archive/version", b"3\n")
            with archive.open("archive/data.pkl", "w", force_zip64=True) as handle:
                for piece in _payload():
                    handle.write(piece)
    _write(CASES / "bomb_pickle.pkl.gz", lambda raw: gzip.GzipFile(fileobj=raw, mode="wb"))  # type: ignore[arg-type,return-value]
    _write(CASES / "bomb_model.joblib", _Zlib)  # type: ignore[arg-type]
    return [torch, CASES / "bomb_pickle.pkl.gz", CASES / "bomb_model.joblib"]


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def measure(cmd: list[str]) -> dict[str, object]:
    """Wall seconds, peak RSS (MiB), exit code and the tail of the output of ``cmd``."""
    try:
        done = subprocess.run(
            ["/usr/bin/time", "-v", *cmd],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
            preexec_fn=_limit,
        )
    except subprocess.TimeoutExpired:
        return {"timed_out": True}
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", done.stderr)
    seconds = 0.0
    for part in (wall.group(1) if wall else "0").split(":"):
        seconds = seconds * 60 + float(part)
    text = done.stdout + done.stderr.split("\tCommand being timed")[0]
    return {
        "returncode": done.returncode,
        "peak_rss_mib": int(rss.group(1)) // 1024 if rss else None,
        "seconds": round(seconds, 2),
        "tail": text.strip()[-300:],
    }


def commands(bin_dir: Path, path: Path) -> dict[str, list[str]]:
    """Every tool's command line for one file."""
    python = str(ROOT / ".venv" / "bin" / "python")
    return {
        "labwarden": [str(ROOT / ".venv/bin/labwarden"), "inspect", "models", str(path)],
        "picklescan": [str(bin_dir / "picklescan"), "-p", str(path)],
        "modelscan": [str(bin_dir / "modelscan"), "-p", str(path)],
        "fickling": [str(bin_dir / "fickling"), "--check-safety", str(path)],
        "modelaudit": [str(bin_dir / "modelaudit"), "scan", str(path)],
        "labwarden-scanner": [python, "-m", "benchmarks.modelfile.scan_one", str(path)],
    }  # fmt: skip


def main() -> None:
    """Build the bombs, run every tool on each, write bombs.json."""
    bin_dir = ensure_peers()
    results: dict[str, dict[str, object]] = {}
    for path in build():
        results[path.name] = {"size": path.stat().st_size}
        for tool, cmd in commands(bin_dir, path).items():
            results[path.name][tool] = measure(cmd)
            print(path.name, tool, results[path.name][tool], file=sys.stderr)
    out = ROOT / "benchmarks" / "modelfile" / "bombs.json"
    out.write_text(json.dumps({"inflated": SIZE, "results": results}, indent=2) + "\n")
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
