"""Ingest and detection throughput on synthetic CloudTrail S3 data events, side by side with
plain DuckDB reading the same JSON and with Zircolite's figure measured on this machine.

Run: .venv/bin/python -m benchmarks.watch.throughput [--events 2000000]
Inputs are generated once under benchmarks/.work/cloudtrail-<n>/ (deterministic); every phase
runs in its own process so that its peak memory (max RSS) is its own.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labwarden.watch.resources import Resolver

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "benchmarks" / ".work"
CORPUS = ROOT.parent / "shared" / "corpora"
PER_FILE = 20_000
ZIRCOLITE_EPS = 12_600  # measured on this machine for the 57 SigmaHQ CloudTrail rules (issue 5)
MANAGEMENT = [
    ("iam.amazonaws.com", "CreateAccessKey"),
    ("s3.amazonaws.com", "PutBucketPolicy"),
    ("cloudtrail.amazonaws.com", "StopLogging"),
    ("signin.amazonaws.com", "ConsoleLogin"),
    ("ec2.amazonaws.com", "DescribeInstances"),
    ("sts.amazonaws.com", "GetCallerIdentity"),
    ("ec2.amazonaws.com", "ModifySnapshotAttribute"),
    ("iam.amazonaws.com", "CreateUser"),
]
DATA = ["GetObject"] * 70 + ["PutObject"] * 12 + ["HeadObject"] * 10 + ["ListObjectsV2"] * 8


def generate(folder: Path, total: int, per_file: int = PER_FILE) -> list[Path]:
    """Write ``total`` CloudTrail events as Records .json.gz files (once; reused afterwards)."""
    done = folder / ".complete"
    if done.exists():
        return sorted(folder.glob("*.json.gz"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(5)
    start = datetime(2026, 10, 1, tzinfo=UTC)
    users = [f"user-{i:03d}" for i in range(200)]
    buckets = [f"acme-bucket-{i:02d}" for i in range(20)]
    n = 0
    files: list[Path] = []
    while n < total:
        records = []
        for _ in range(min(per_file, total - n)):
            when = start + timedelta(seconds=n * 0.3)
            user = rng.choice(users)
            ident = {
                "type": "IAMUser",
                "principalId": "AIDA" + user.upper(),
                "arn": f"arn:aws:iam::123456789012:user/{user}",
                "accountId": "123456789012",
                "accessKeyId": "AKIA" + user.upper().replace("-", "") + "XXXXXXXX",
                "userName": user,
            }
            record = {
                "eventVersion": "1.09",
                "userIdentity": ident,
                "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "awsRegion": "eu-west-1",
                "sourceIPAddress": f"198.51.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                "userAgent": "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux lang/python#3.11",
                "requestID": f"{n:016X}",
                "eventID": f"00000000-0000-4000-8000-{n:012d}",
                "readOnly": True,
                "eventType": "AwsApiCall",
                "recipientAccountId": "123456789012",
            }
            if rng.random() < 0.02:
                source, name = rng.choice(MANAGEMENT)
                record.update(
                    eventSource=source,
                    eventName=name,
                    managementEvent=True,
                    eventCategory="Management",
                    requestParameters={"userName": user},
                )
            else:
                bucket = rng.choice(buckets)
                key = (
                    f"models/run-{rng.randrange(500)}/shard-{rng.randrange(10_000):05d}.safetensors"
                )
                record.update(
                    eventSource="s3.amazonaws.com",
                    eventName=rng.choice(DATA),
                    managementEvent=False,
                    eventCategory="Data",
                    requestParameters={
                        "bucketName": bucket,
                        "key": key,
                        "Host": f"{bucket}.s3.amazonaws.com",
                    },
                    additionalEventData={
                        "bytesTransferredOut": rng.randrange(1, 10**9),
                        "bytesTransferredIn": 0,
                    },
                    resources=[{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"}],
                )
            records.append(record)
            n += 1
        path = folder / f"123456789012_CloudTrail_eu-west-1_{len(files):05d}.json.gz"
        path.write_bytes(gzip.compress(json.dumps({"Records": records}).encode(), compresslevel=1))
        files.append(path)
    done.write_text(str(total))
    return files


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """CPU time of this process (all threads) so far: unlike wall time, untouched by the
    other virtual machines that share this host's cores (steal time reached 40% in runs)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def phase_duckdb(folder: Path) -> dict[str, float]:
    """Plain DuckDB: read every record and pull the fields a rule engine needs."""
    from labwarden.engines.duckdb import connect

    files = [str(p) for p in sorted(folder.glob("*.json.gz"))]
    con = connect()
    started = time.perf_counter()
    cpu = _cpu_seconds()
    rows = con.rows(
        "SELECT count(*), count(DISTINCT json_extract_string(r, '$.eventName')), "
        "count(DISTINCT json_extract_string(r, '$.userIdentity.arn')) FROM ("
        "SELECT unnest(json_extract(j, '$.Records[*]')) AS r FROM read_json_objects(?, "
        "compression = 'gzip', maximum_object_size = 134217728) AS t(j))",
        [files],
    )
    seconds = time.perf_counter() - started
    return {
        "events": rows[0][0],
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu,
        "maxrss_mib": _maxrss_mib(),
    }


def phase_ingest(folder: Path, lake: Path) -> dict[str, float]:
    """labwarden ingest into a fresh lake."""
    from labwarden.store.lake import Lake
    from labwarden.watch.ingest import ingest

    shutil.rmtree(lake, ignore_errors=True)
    resolver = _resolver()
    started = time.perf_counter()
    cpu = _cpu_seconds()
    result = ingest([folder], Lake(lake), resolver)
    seconds = time.perf_counter() - started
    assert not result.issues, result.issues[:3]
    return {
        "events": result.events,
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu,
        "maxrss_mib": _maxrss_mib(),
        "parts": result.parts_written,
    }


def _resolver() -> Resolver:
    """What a lab would configure: every bucket's models/ prefix is an asset, some runs are
    catalog models (by URI), unmapped keys are classified by the policy, and the office network
    is labelled, so that every join runs."""
    import ipaddress

    from labwarden.inventory.policy import default_policy
    from labwarden.watch.resources import NetworkLabel, ResolvedAsset, Resolver, ResourceRule

    rules = [
        ResourceRule(
            f"s3://acme-bucket-{i:02d}/models/",
            ResolvedAsset(i + 1, f"bucket-{i:02d}-models", "model", "restricted"),
        )
        for i in range(20)
    ]
    by_uri = {
        f"s3://acme-bucket-{i % 20:02d}/runs/run-{i}": ResolvedAsset(
            100 + i, f"run-{i}", "model", "confidential"
        )
        for i in range(50)
    }
    networks = [
        NetworkLabel(ipaddress.ip_network("198.51.0.0/16"), "DK"),
        NetworkLabel(ipaddress.ip_network("198.51.100.0/24"), "DK-office"),
    ]
    return Resolver(rules, by_uri, networks, default_policy())


def phase_detect(lake: Path) -> dict[str, float]:
    """The 57 SigmaHQ CloudTrail rules plus the bundled pack over the lake."""
    from labwarden.engines.duckdb import connect, create_events_view
    from labwarden.watch.detect.run import run_rules
    from labwarden.watch.detect.sigma.rules import bundled_rules_dir, load

    started = time.perf_counter()
    cpu = _cpu_seconds()
    rules = load([CORPUS / "sigma" / "cloud" / "aws" / "cloudtrail", bundled_rules_dir()])
    con = connect()
    create_events_view(con, lake)
    events = con.rows("SELECT count(*) FROM events")[0][0]
    result = run_rules(con, rules.rules)
    seconds = time.perf_counter() - started
    assert not result.problems, result.problems[:3]
    return {
        "events": events,
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu,
        "maxrss_mib": _maxrss_mib(),
        "rules": len(rules.rules),
        "detections": len(result.detections),
        "rules_seconds": result.seconds,
    }


def _run(*args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.watch.throughput", *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _part_count(lake: Path) -> int:
    return sum(1 for _ in lake.glob("source=*/day=*/*.parquet"))


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the median wall time (its other figures come with it)."""
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def _steal_percent(before: list[int], after: list[int]) -> float:
    """Share of CPU time the hypervisor gave to other machines between two /proc/stat reads."""
    delta = [b - a for a, b in zip(before, after, strict=True)]
    return 100.0 * delta[7] / max(1, sum(delta[:8]))


def _cpu_ticks() -> list[int]:
    with Path("/proc/stat").open() as handle:
        return [int(x) for x in handle.readline().split()[1:]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of read and ingest")
    parser.add_argument(
        "--per-file",
        type=int,
        default=PER_FILE,
        help="events per file (AWS delivers a file per account and region about every 5 min, "
        "often a few hundred events: try 500)",
    )
    parser.add_argument("--phase", choices=["duckdb", "ingest", "detect"])
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--lake", type=Path)
    args = parser.parse_args()
    if args.phase == "duckdb":
        print(json.dumps(phase_duckdb(args.folder)))
        return
    if args.phase == "ingest":
        print(json.dumps(phase_ingest(args.folder, args.lake)))
        return
    if args.phase == "detect":
        print(json.dumps(phase_detect(args.lake)))
        return
    layout = "" if args.per_file == PER_FILE else f"-{args.per_file}"
    folder = WORK / f"cloudtrail-{args.events}{layout}"
    lake = WORK / f"lake-{args.events}{layout}"
    started = time.perf_counter()
    files = generate(folder, args.events, args.per_file)
    print(
        f"inputs: {len(files)} files in {folder} ({time.perf_counter() - started:.0f}s)",
        file=sys.stderr,
    )
    ticks = _cpu_ticks()
    bases, ings = [], []
    for _ in range(args.repeat):  # alternating, so that both see the same neighbours
        bases.append(_run("--phase", "duckdb", "--folder", str(folder)))
        ings.append(_run("--phase", "ingest", "--folder", str(folder), "--lake", str(lake)))
    det = _run("--phase", "detect", "--lake", str(lake))
    steal = _steal_percent(ticks, _cpu_ticks())
    base, ing = _median(bases), _median(ings)
    n = args.events
    base_eps = n / base["seconds"]
    ing_eps = n / ing["seconds"]
    det_eps = n / det["seconds"]
    walls = ", ".join(f"{r['seconds']:.1f}" for r in ings)
    table = "\n".join(
        [
            f"Synthetic CloudTrail S3 data events: {n:,} events in {len(files):,} Records "
            f".json.gz files (2% management events), 2 cores shared with other work "
            f"(steal {steal:.0f}% of CPU time during the run), "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Read and ingest: median of "
            f"{args.repeat} alternating runs (ingest wall seconds: {walls}).",
            "",
            "| step | tool | seconds | events/s | ratio | CPU seconds | peak RSS |",
            "|---|---|---|---|---|---|---|",
            "| read JSON (baseline) | plain DuckDB `read_json_objects` + unnest + 2 extracts "
            f"| {base['seconds']:.1f} | {base_eps:,.0f} | 1.00x | {base['cpu_seconds']:.1f} "
            f"| {base['maxrss_mib']:,.0f} MiB |",
            "| ingest (parse, normalize, resolve, write lake) | labwarden "
            f"| {ing['seconds']:.1f} | {ing_eps:,.0f} | {ing_eps / base_eps:.2f}x of DuckDB read "
            f"| {ing['cpu_seconds']:.1f} | {ing['maxrss_mib']:,.0f} MiB |",
            f"| detect ({int(det['rules'])} rules: 57 SigmaHQ CloudTrail + pack) "
            f"| Zircolite (issue figure, this machine) | {n / ZIRCOLITE_EPS:.1f} "
            f"| {ZIRCOLITE_EPS:,} | 1.00x | - | - |",
            f"| same | labwarden (DuckDB over the lake) | {det['seconds']:.1f} | {det_eps:,.0f} "
            f"| {det_eps / ZIRCOLITE_EPS:.1f}x Zircolite | {det['cpu_seconds']:.1f} "
            f"| {det['maxrss_mib']:,.0f} MiB |",
            "",
            f"Detection found {int(det['detections'])} detections; rule execution alone took "
            f"{det['rules_seconds']:.1f}s (the rest is loading and compiling the rules). "
            f"The lake holds {_part_count(lake)} Parquet files.",
        ]
    )
    print(table)


if __name__ == "__main__":
    main()
