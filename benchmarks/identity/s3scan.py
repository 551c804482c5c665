"""`labwarden scan s3://...` throughput and memory against moto's S3 server, with boto3's bare
listing of the same bucket as the floor, measured in one run.

Usage: .venv/bin/python -m benchmarks.identity.s3scan [--objects 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.s3server import CREDENTIALS, client, start_server, stop

HERE = Path(__file__).resolve().parent


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
    s3 = client(endpoint)
    s3.create_bucket(Bucket=bucket)

    def put(i: int) -> None:
        key, data = body(i)
        s3.put_object(Bucket=bucket, Key=key, Body=data)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, range(count)))


def listing(endpoint: str, bucket: str) -> tuple[float, int]:
    s3 = client(endpoint)
    start = time.perf_counter()
    count = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        count += len(page.get("Versions", []))
    return time.perf_counter() - start, count


def scan(
    endpoint: str, bucket: str, workspace: Path, rss_file: Path
) -> tuple[float, dict[str, int]]:
    env = {**os.environ, **CREDENTIALS}
    start = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            str(HERE / "_measured.py"),
            str(rss_file),
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
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    seconds = time.perf_counter() - start
    return seconds, json.loads(out.stdout)["stats"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=3000)
    args = parser.parse_args()
    os.environ.update(CREDENTIALS)
    process, endpoint = start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bucket = "bench-lab"
            t0 = time.perf_counter()
            fill(endpoint, bucket, args.objects)
            upload = time.perf_counter() - t0
            floor, listed = listing(endpoint, bucket)
            rss = Path(tmp) / "rss.txt"
            ws = Path(tmp) / "ws"
            first, stats1 = scan(endpoint, bucket, ws, rss)
            again, stats2 = scan(endpoint, bucket, ws, rss)
            floor2, _ = listing(endpoint, bucket)
            peaks = [int(x) for x in rss.read_text().split()]
    finally:
        stop(process)
    n = args.objects
    result = {
        "objects": n,
        "listed": listed,
        "upload_seconds": upload,
        "boto3_listing_seconds": min(floor, floor2),
        "first_scan_seconds": first,
        "first_scan_stats": stats1,
        "first_scan_peak_rss_mib": peaks[0] / 1024,
        "rescan_seconds": again,
        "rescan_stats": stats2,
        "rescan_peak_rss_mib": peaks[1] / 1024,
    }
    (HERE / "s3scan.json").write_text(json.dumps(result, indent=2) + "\n")
    floor_s = result["boto3_listing_seconds"]
    print(
        f"{n} objects in moto's S3 server (each scan a fresh process; first scan runs every check)"
    )
    print("| step | time | objects/s | vs boto3 listing alone |")
    print("|---|---|---|---|")
    print(f"| boto3 ListObjectVersions only (floor) | {floor_s:.2f} s | {n / floor_s:,.0f} | 1.0 |")
    print(f"| labwarden first scan | {first:.2f} s | {n / first:,.0f} | {first / floor_s:.1f}x |")
    ratio = again / floor_s
    print(
        f"| labwarden rescan, nothing changed | {again:.2f} s | {n / again:,.0f} | {ratio:.1f}x |"
    )
    print(f"peak RSS: first {peaks[0] / 1024:.0f} MiB, rescan {peaks[1] / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
