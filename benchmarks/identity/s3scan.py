"""`labwarden scan s3://...` throughput and memory against moto's S3 server, with boto3's bare
listings of the same bucket as floors (``ListObjectsV2`` and ``ListObjectVersions``) and
`aws s3 ls --recursive` as a peer, measured in one run. Every step is a fresh process whose peak
RSS GNU time reads.

Usage: nice -n 10 .venv/bin/python -m benchmarks.identity.s3scan [--objects 3000]
    [--src SRC] [--baseline SRC] [--timeout 300]
``--baseline`` scans the same bucket a second time with the labwarden package found in ``SRC``
(a ``src`` folder of another revision, e.g. ``git archive main src | tar -x -C /tmp/main``), so
that two revisions are measured side by side in one run; ``--src`` measures a copy of this
revision's ``src`` (so that edits to the tree during a long run change nothing). The steps that
list with ``ListObjectVersions`` (whose cost grows with the square of the bucket on moto's
server) run last and are stopped after ``--timeout`` seconds, which the results record. Results
are kept per object count in ``s3scan.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.s3server import CREDENTIALS, client, start_server, stop

HERE = Path(__file__).resolve().parent
TIME = "/usr/bin/time"


def body(i: int) -> tuple[str, bytes]:
    kind = i % 5
    folder = f"run{i // 50:04d}"
    if kind == 0:
        return f"models/{folder}/config-{i}.json", json.dumps(
            {"model_type": "bert", "i": i}
        ).encode()
    if kind == 1:
        header = json.dumps(
            {"w": {"dtype": "F32", "shape": [64], "data_offsets": [0, 256]}}
        ).encode()
        return f"models/{folder}/shard-{i}.safetensors", struct.pack(
            "<Q", len(header)
        ) + header + bytes(256)
    if kind == 2:
        rows = "".join(f"{n},{20 + n % 50},F\n" for n in range(40))
        return f"datasets/{folder}/part-{i}.csv", ("subject_id,age,sex\n" + rows).encode()
    if kind == 3:
        return f"logs/{folder}/train-{i}.log", b"step 1 loss 0.5\n" * 64
    return (
        f"code/{folder}/train_{i}.py",
        b"import torch\nmodel = torch.load('m.pt', weights_only=True)\n",
    )


def fill(endpoint: str, bucket: str, count: int) -> None:
    """``count`` small objects (few distinct bodies, so the cost is the puts), 16 at a time."""
    s3 = client(endpoint)
    s3.create_bucket(Bucket=bucket)

    def put(i: int) -> None:
        key, data = body(i)
        s3.put_object(Bucket=bucket, Key=key, Body=data)

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(put, range(count)))


_LISTING = """
import sys
from tests.s3server import client
s3 = client(sys.argv[1])
operation, field = sys.argv[3], sys.argv[4]
n = 0
for page in s3.get_paginator(operation).paginate(Bucket=sys.argv[2]):
    n += len(page.get(field, []))
print(n)
"""
_FLOORS = {"versions": ("list_object_versions", "Versions"), "v2": ("list_objects_v2", "Contents")}
LOADS: list[float] = []
"""The 1-minute load average after every step (the machine is shared)."""
STEP_LOADS: dict[str, float] = {}


class Stopped(Exception):
    """A step ran past the timeout and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"stopped after {seconds:.0f} s")
        self.seconds = seconds


def measured(
    command: list[str], src: Path | None = None, timeout: float | None = None
) -> tuple[float, float, str]:
    """Run ``command`` under GNU time; its wall time, peak RSS (MiB) and stdout.

    GNU time (a small process) forks the command: a child forked from this benchmark would
    start its high-water mark at this process's size, since Linux keeps it across ``exec``.
    Past ``timeout`` seconds the command's process group is killed and :class:`Stopped` raised.
    """
    path = [str(src)] if src is not None else []  # before the editable install of this tree
    env = {
        **os.environ,
        **CREDENTIALS,
        "PYTHONPATH": os.pathsep.join([*path, str(HERE.parents[1])]),
    }
    with tempfile.TemporaryDirectory() as tmp:
        rss = Path(tmp) / "rss"
        start = time.perf_counter()
        process = subprocess.Popen(
            [TIME, "-f", "%M", "-o", str(rss), *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            LOADS.append(os.getloadavg()[0])
            STEP_LOADS[f"{len(STEP_LOADS) + 1}: {' '.join(command[-4:])[:60]} (stopped)"] = LOADS[
                -1
            ]
            raise Stopped(time.perf_counter() - start) from None
        seconds = time.perf_counter() - start
        LOADS.append(os.getloadavg()[0])
        STEP_LOADS[f"{len(STEP_LOADS) + 1}: {' '.join(command[-4:])[:60]}"] = LOADS[-1]
        if process.returncode != 0:
            raise RuntimeError(f"{command[:3]} exited {process.returncode}: {stderr[-500:]}")
        peak = int(rss.read_text().split()[-1]) / 1024
    return seconds, peak, stdout


def listing(
    endpoint: str, bucket: str, kind: str = "versions", timeout: float | None = None
) -> tuple[float, float, int]:
    """boto3's bare pagination of ``ListObjectVersions`` (``kind="versions"``, the history the
    scan keeps of a versioned bucket) or ``ListObjectsV2`` (``"v2"``, what it lists a
    never-versioned bucket with)."""
    operation, field = _FLOORS[kind]
    seconds, rss, out = measured(
        [sys.executable, "-c", _LISTING, endpoint, bucket, operation, field], timeout=timeout
    )
    return seconds, rss, int(out.strip())


def aws_ls(endpoint: str, bucket: str) -> tuple[float, float, int] | None:
    """``aws s3 ls --recursive`` (ListObjectsV2), when the AWS CLI is installed."""
    aws = shutil.which("aws")
    if aws is None:
        return None
    command = [aws, "s3", "ls", f"s3://{bucket}", "--recursive", "--endpoint-url", endpoint]
    seconds, rss, out = measured(command)
    return seconds, rss, sum(1 for line in out.splitlines() if line.strip())


def scan(
    endpoint: str,
    bucket: str,
    workspace: Path,
    src: Path | None = None,
    timeout: float | None = None,
) -> tuple[float, float, dict[str, object]]:
    """``labwarden scan s3://bucket`` in a fresh process (labwarden from ``src`` when given):
    time, peak RSS (MiB), stats (with ``listed_with`` when the revision reports it)."""
    seconds, rss, out = measured(
        [
            sys.executable,
            "-m",
            "labwarden",
            "-w",
            str(workspace),
            "scan",
            f"s3://{bucket}",
            "--endpoint-url",
            endpoint,
            "--no-progress",
            "-f",
            "json",
        ],
        src,
        timeout,
    )
    head = json.loads(out)
    stats: dict[str, object] = head["stats"]
    if "listed_with" in head:
        stats = {**stats, "listed_with": head["listed_with"]}
    return seconds, rss, stats


def _timed(
    prefix: str, step: Callable[[], tuple[float, float, object]], result: str = "result"
) -> dict[str, object]:
    """One step's time, peak RSS and result under ``prefix``, or when it was stopped."""
    try:
        seconds, rss, got = step()
    except Stopped as stop:
        print(f"{prefix}: {stop}", file=sys.stderr)
        return {f"{prefix}_stopped_after_seconds": stop.seconds}
    except RuntimeError as exc:  # e.g. the server ran out of its memory cap: 500s
        print(f"{prefix}: failed: {exc}", file=sys.stderr)
        return {f"{prefix}_failed": str(exc)[-300:]}
    return {f"{prefix}_seconds": seconds, f"{prefix}_peak_rss_mib": rss, f"{prefix}_{result}": got}


def _baseline(
    endpoint: str, bucket: str, workspace: Path, src: Path, timeout: float
) -> dict[str, object]:
    """The first scan and the rescan with another revision's labwarden, in its own workspace
    (no rescan when the first scan was stopped)."""
    got: dict[str, object] = {"baseline_src": str(src)}
    got |= _timed(
        "baseline_first_scan", lambda: scan(endpoint, bucket, workspace, src, timeout), "stats"
    )
    if "baseline_first_scan_seconds" in got:
        got |= _timed(
            "baseline_rescan", lambda: scan(endpoint, bucket, workspace, src, timeout), "stats"
        )
    return got


def _save(result: dict[str, object]) -> None:
    path = HERE / "s3scan.json"
    runs: dict[str, object] = {}
    if path.exists():
        old = json.loads(path.read_text())
        runs = {str(old["objects"]): old} if "objects" in old else old
    runs[str(result["objects"])] = result
    path.write_text(
        json.dumps(dict(sorted(runs.items(), key=lambda i: int(i[0]))), indent=2) + "\n"
    )


def _measure(endpoint: str, bucket: str, tmp: Path, args: argparse.Namespace) -> dict[str, object]:
    """Every step on one filled bucket: the ``ListObjectVersions`` steps last, with a timeout."""
    got: dict[str, object] = {}
    floor, floor_rss, listed = listing(endpoint, bucket, "v2")
    peer = aws_ls(endpoint, bucket)
    ws = tmp / "ws"
    first, first_rss, stats1 = scan(endpoint, bucket, ws, args.src)
    again, again_rss, stats2 = scan(endpoint, bucket, ws, args.src)
    floor2, floor2_rss, _ = listing(endpoint, bucket, "v2")
    got |= {
        "listed": listed,
        "boto3_list_objects_v2_seconds": min(floor, floor2),
        "boto3_list_objects_v2_peak_rss_mib": max(floor_rss, floor2_rss),
        "aws_s3_ls_seconds": peer[0] if peer else None,
        "aws_s3_ls_peak_rss_mib": peer[1] if peer else None,
        "aws_s3_ls_listed": peer[2] if peer else None,
        "first_scan_seconds": first,
        "first_scan_stats": stats1,
        "first_scan_peak_rss_mib": first_rss,
        "rescan_seconds": again,
        "rescan_stats": stats2,
        "rescan_peak_rss_mib": again_rss,
    }
    versions = _timed(
        "boto3_listing", lambda: listing(endpoint, bucket, "versions", args.timeout)
    )  # ListObjectVersions: the floor of the previous revision's listing
    got |= versions
    if args.baseline is not None:
        got |= _baseline(endpoint, bucket, tmp / "ws-baseline", args.baseline, args.timeout)
    return got


def _rows(result: dict[str, object]) -> list[tuple[str, str, str]]:
    """(step, time, peak RSS) for the table, a stopped step as such."""
    steps = [
        ("boto3 ListObjectsV2 only (floor)", "boto3_list_objects_v2"),
        ("boto3 ListObjectVersions only (floor)", "boto3_listing"),
        ("aws s3 ls --recursive (ListObjectsV2)", "aws_s3_ls"),
        ("labwarden first scan", "first_scan"),
        ("labwarden rescan", "rescan"),
        ("baseline first scan", "baseline_first_scan"),
        ("baseline rescan", "baseline_rescan"),
    ]
    rows = []
    n = int(str(result["objects"]))
    for name, key in steps:
        seconds = result.get(f"{key}_seconds")
        stopped = result.get(f"{key}_stopped_after_seconds")
        if seconds is not None:
            t = float(str(seconds))
            rss = float(str(result[f"{key}_peak_rss_mib"]))
            rows.append((name, f"{t:.2f} s ({n / t:,.0f} objects/s)", f"{rss:.0f} MiB"))
        elif stopped is not None:
            rows.append((name, f"stopped after {float(str(stopped)):.0f} s", "-"))
        elif f"{key}_failed" in result:
            rows.append((name, "failed", "-"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=3000)
    parser.add_argument("--src", type=Path, help="src folder of the revision to measure")
    parser.add_argument("--baseline", type=Path, help="src folder of the revision to compare")
    parser.add_argument(
        "--timeout", type=float, default=300, help="seconds before a ListObjectVersions step stops"
    )
    parser.add_argument(
        "--server-memory", type=int, default=6144, help="MiB of address space moto's server may use"
    )
    args = parser.parse_args()
    os.environ.update(CREDENTIALS)
    process, endpoint = start_server()
    cap = args.server_memory << 20  # moto's ListObjectVersions grows it by GBs on a big bucket
    resource.prlimit(process.pid, resource.RLIMIT_AS, (cap, cap))
    LOADS.append(os.getloadavg()[0])
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bucket = "bench-lab"
            t0 = time.perf_counter()
            fill(endpoint, bucket, args.objects)
            upload = time.perf_counter() - t0
            print(f"filled {args.objects} objects in {upload:.0f} s", file=sys.stderr)
            measured_steps = _measure(endpoint, bucket, Path(tmp), args)
    finally:
        stop(process)
    n = args.objects
    result: dict[str, object] = {
        "objects": n,
        "load_average": os.getloadavg()[0],
        "load_average_range": [min(LOADS), max(LOADS)],
        "timeout_seconds": args.timeout,
        "server_memory_cap_mib": args.server_memory,
        "load_after_step": STEP_LOADS,
        "upload_seconds": upload,
        **measured_steps,
    }
    _save(result)
    print(f"{n} objects in moto's S3 server (every step a fresh process)")
    print(f"load average {min(LOADS):.1f} to {max(LOADS):.1f} during the run")
    print("| step | time | peak RSS |")
    print("|---|---|---|")
    for name, when, rss in _rows(result):
        print(f"| {name} | {when} | {rss} |")


if __name__ == "__main__":
    main()
