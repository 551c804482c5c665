"""`labwarden scan s3://...` throughput and memory against moto's S3 server, with boto3's bare
listing of the same bucket as the floor and `aws s3 ls --recursive` as a peer, measured in one
run. Every step is a fresh process whose peak RSS GNU time reads.

Usage: nice -n 10 .venv/bin/python -m benchmarks.identity.s3scan [--objects 3000]
    [--baseline SRC]
``--baseline`` scans the same bucket a second time with the labwarden package found in ``SRC``
(a ``src`` folder of another revision, e.g. ``git archive main src | tar -x -C /tmp/main``), so
that two revisions are measured side by side in one run. Results are kept per object count in
``s3scan.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
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
n = 0
for page in s3.get_paginator("list_object_versions").paginate(Bucket=sys.argv[2]):
    n += len(page.get("Versions", []))
print(n)
"""


def measured(command: list[str], src: Path | None = None) -> tuple[float, float, str]:
    """Run ``command`` under GNU time; its wall time, peak RSS (MiB) and stdout.

    GNU time (a small process) forks the command: a child forked from this benchmark would
    start its high-water mark at this process's size, since Linux keeps it across ``exec``.
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
        out = subprocess.run(
            [TIME, "-f", "%M", "-o", str(rss), *command],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        seconds = time.perf_counter() - start
        if out.returncode != 0:
            raise RuntimeError(f"{command[:3]} exited {out.returncode}: {out.stderr[-500:]}")
        peak = int(rss.read_text().split()[-1]) / 1024
    return seconds, peak, out.stdout


def listing(endpoint: str, bucket: str) -> tuple[float, float, int]:
    """boto3's bare ``ListObjectVersions`` pagination (the API the scan lists with)."""
    seconds, rss, out = measured([sys.executable, "-c", _LISTING, endpoint, bucket])
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
    endpoint: str, bucket: str, workspace: Path, src: Path | None = None
) -> tuple[float, float, dict[str, int]]:
    """``labwarden scan s3://bucket`` in a fresh process (labwarden from ``src`` when given):
    time, peak RSS (MiB), stats."""
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
    )
    return seconds, rss, json.loads(out)["stats"]


def _baseline(endpoint: str, bucket: str, workspace: Path, src: Path) -> dict[str, object]:
    """The first scan and the rescan with another revision's labwarden, in its own workspace."""
    first, first_rss, stats1 = scan(endpoint, bucket, workspace, src)
    again, again_rss, stats2 = scan(endpoint, bucket, workspace, src)
    return {
        "baseline_src": str(src),
        "baseline_first_scan_seconds": first,
        "baseline_first_scan_stats": stats1,
        "baseline_first_scan_peak_rss_mib": first_rss,
        "baseline_rescan_seconds": again,
        "baseline_rescan_stats": stats2,
        "baseline_rescan_peak_rss_mib": again_rss,
    }


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=3000)
    parser.add_argument("--baseline", type=Path, help="src folder of the revision to compare")
    args = parser.parse_args()
    baseline: dict[str, object] = {}
    os.environ.update(CREDENTIALS)
    process, endpoint = start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bucket = "bench-lab"
            t0 = time.perf_counter()
            fill(endpoint, bucket, args.objects)
            upload = time.perf_counter() - t0
            print(f"filled {args.objects} objects in {upload:.0f} s", file=sys.stderr)
            floor, floor_rss, listed = listing(endpoint, bucket)
            peer = aws_ls(endpoint, bucket)
            ws = Path(tmp) / "ws"
            first, first_rss, stats1 = scan(endpoint, bucket, ws)
            again, again_rss, stats2 = scan(endpoint, bucket, ws)
            if args.baseline is not None:
                baseline = _baseline(endpoint, bucket, Path(tmp) / "ws-baseline", args.baseline)
            floor2, _, _ = listing(endpoint, bucket)
    finally:
        stop(process)
    n = args.objects
    floor_s = min(floor, floor2)
    result: dict[str, object] = {
        "objects": n,
        "listed": listed,
        "load_average": os.getloadavg()[0],
        "upload_seconds": upload,
        "boto3_listing_seconds": floor_s,
        "boto3_listing_peak_rss_mib": floor_rss,
        "aws_s3_ls_seconds": peer[0] if peer else None,
        "aws_s3_ls_peak_rss_mib": peer[1] if peer else None,
        "aws_s3_ls_listed": peer[2] if peer else None,
        "first_scan_seconds": first,
        "first_scan_stats": stats1,
        "first_scan_peak_rss_mib": first_rss,
        "rescan_seconds": again,
        "rescan_stats": stats2,
        "rescan_peak_rss_mib": again_rss,
        **baseline,
    }
    _save(result)
    print(f"{n} objects in moto's S3 server (every step a fresh process)")
    print("| step | time | objects/s | vs boto3 listing alone | peak RSS |")
    print("|---|---|---|---|---|")
    rows = [("boto3 ListObjectVersions only (floor)", floor_s, floor_rss)]
    if peer:
        rows.append(("aws s3 ls --recursive (ListObjectsV2)", peer[0], peer[1]))
    rows += [("labwarden first scan", first, first_rss), ("labwarden rescan", again, again_rss)]
    if baseline:
        rows += [
            (
                "baseline first scan",
                float(str(baseline["baseline_first_scan_seconds"])),
                float(str(baseline["baseline_first_scan_peak_rss_mib"])),
            ),
            (
                "baseline rescan",
                float(str(baseline["baseline_rescan_seconds"])),
                float(str(baseline["baseline_rescan_peak_rss_mib"])),
            ),
        ]
    for name, seconds, rss in rows:
        print(
            f"| {name} | {seconds:.2f} s | {n / seconds:,.0f} | {seconds / floor_s:.1f}x "
            f"| {rss:.0f} MiB |"
        )


if __name__ == "__main__":
    main()
