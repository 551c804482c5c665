"""Scan speed side by side: labwarden, picklescan, modelscan, fickling and ModelAudit in one run.

Run: ``.venv/bin/python -m benchmarks.modelfile.speed`` (inputs go to benchmarks/.work/, about
6 GB of disk; writes speed.json next to RESULTS.md).

Inputs, all benign:
- ``many_objects.pkl``: a 12 MB protocol-4 pickle of about 1.2 million small objects;
- ``tensor_512m.pkl``: one 512 MiB float32 array pickled the way NumPy does (bytes inline);
- ``small.pt`` and ``large_5g.pt``: PyTorch zip checkpoints with the same state dict structure,
  tensors of 4 KiB and of 1 GiB each (5 GiB in all): the scan time must not grow with tensor size.
"""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path

from benchmarks.modelfile.common import ROOT, WORK, ensure_peers, labwarden_bin, timed
from labwarden.checks.modelfile.samples import torch_state_dict

TIMEOUT = 240.0


def many_objects(path: Path) -> None:
    """About 1.2 million small objects in 12 MB."""
    if path.exists():
        return
    data = [f"o{i:06d}" for i in range(1_200_000)]
    path.write_bytes(pickle.dumps(data, protocol=4))


def tensor_512m(path: Path, python: Path) -> None:
    """One 512 MiB float32 array, pickled by NumPy itself in the peers' venv (bytes inline)."""
    if path.exists():
        return
    code = (
        "import numpy, pickle, sys\n"
        "a = numpy.zeros(128 * 1024 * 1024, dtype=numpy.float32)\n"
        "open(sys.argv[1], 'wb').write(pickle.dumps(a, protocol=4))\n"
    )
    result = timed([str(python), "-c", code, str(path)])
    if result.returncode != 0:
        raise RuntimeError(result.stderr)


def torch_checkpoint(path: Path, side: int, tensors: int) -> None:
    """A PyTorch zip with ``tensors`` float32 tensors of ``side`` x ``side`` (stored, zip64)."""
    if path.exists():
        return
    names = [(f"layer{i}.weight", (side, side)) for i in range(tensors)]
    chunk = b"\x00" * (16 << 20)
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.writestr("archive/data.pkl", torch_state_dict(names))
        archive.writestr("archive/byteorder", "little")
        for index in range(tensors):
            size = side * side * 4
            with archive.open(f"archive/data/{index}", "w", force_zip64=True) as handle:
                while size > 0:
                    part = chunk[: min(size, len(chunk))]
                    handle.write(part)
                    size -= len(part)
        archive.writestr("archive/version", "3\n")
    tmp.rename(path)


def commands(bin_dir: Path, target: Path) -> dict[str, list[str]]:
    """The command line of each tool for one file."""
    return {
        "labwarden": [str(labwarden_bin()), "inspect", "models", str(target), "-f", "json"],
        "labwarden-scanner": [
            str(ROOT / ".venv" / "bin" / "python"),
            "-m",
            "benchmarks.modelfile.scan_one",
            str(target),
        ],
        "picklescan": [str(bin_dir / "picklescan"), "-p", str(target)],
        "modelscan": [str(bin_dir / "modelscan"), "-p", str(target), "-r", "json"],
        "fickling": [str(bin_dir / "fickling"), "--check-safety", str(target)],
        "modelaudit": [str(bin_dir / "modelaudit"), "scan", str(target), "--format", "json"],
    }


def main() -> None:
    bin_dir = ensure_peers()
    WORK.mkdir(parents=True, exist_ok=True)
    inputs = {
        "many_objects.pkl": WORK / "many_objects.pkl",
        "tensor_512m.pkl": WORK / "tensor_512m.pkl",
        "small.pt": WORK / "small.pt",
        "large_5g.pt": WORK / "large_5g.pt",
    }
    many_objects(inputs["many_objects.pkl"])
    tensor_512m(inputs["tensor_512m.pkl"], bin_dir / "python")
    torch_checkpoint(inputs["small.pt"], 32, 5)
    torch_checkpoint(inputs["large_5g.pt"], 16384, 5)
    results: dict[str, dict[str, object]] = {}
    for label, path in inputs.items():
        row: dict[str, object] = {"bytes": path.stat().st_size}
        for tool, cmd in commands(bin_dir, path).items():
            run = timed(cmd, timeout=TIMEOUT, cwd=ROOT)
            row[tool] = {
                "seconds": round(run.seconds, 2),
                "cpu_seconds": round(run.cpu, 2),
                "returncode": run.returncode,
                "timed_out": run.timed_out,
            }
            print(
                f"{label:18} {tool:11} {run.seconds:8.2f}s wall {run.cpu:8.2f}s cpu "
                f"rc={run.returncode}",
                flush=True,
            )
        results[label] = row
    out = ROOT / "benchmarks" / "modelfile" / "speed.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
