"""Demo access logs: 30 days of CloudTrail (S3 data events and management events) and S3
server access logs for the lab's buckets ``acme-models-prod`` and ``acme-datasets``.

Researchers read models and assay shards in office hours, a CI role lists and reads configs,
the training service account reads the HTS screen and the weights-sync account uploads docking
checkpoints. In the last days someone uses the weights-sync key leaked in the training code
(``facts['leaked_key']``) from a network never seen before: reconnaissance, a new access key on
a service account, bucket logging switched off and a bucket policy opened, then bulk downloads
of the model and dataset prefixes at night, touching a canary object on the way.
"""

from __future__ import annotations

import gzip
import json
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from labwarden.demo.writer import EPOCH, Lab

ACCOUNT = "412938475610"
REGION = "eu-west-1"
MODELS = "acme-models-prod"
DATASETS = "acme-datasets"
DAYS = 30
RESEARCHERS = ["akumar", "mlarsen", "jchen", "sbauer"]
OFFICE = "198.51.100"
TRAINING_NET = "10.30.4"
ATTACKER_NET = "185.220.101"
ATTACKER_UA = (
    "aws-cli/2.15.30 md/Botocore#1.34.69 ua/2.0 os/linux#6.6.9-amd64 md/arch#x86_64 "
    "lang/python#3.11.8 md/distrib#kali.2024"
)
BOTO_UA = (
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.15.0-1051-aws md/arch#x86_64 "
    "lang/python#3.11.8"
)
CONSOLE_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15"
)
CANARY_KEY = "trials/CTX-104/linkage/subject-key-map.csv"
INTRUSION_DAY = 26
MODEL_PREFIX = "docking/"
DATASET_PREFIX = "assays/hts-screen-2026q3/"


class _Trail:
    """Builds CloudTrail records with ids from one seeded generator."""

    def __init__(self, rng: random.Random, key_id: str) -> None:
        self.rng = rng
        self.leaked_key = key_id
        self.user_keys = {
            name: "AKIA"
            + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
            for name in [*RESEARCHERS, "svc-training"]
        }

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def identity(self, user: str) -> dict[str, Any]:
        if user == "ci-runner":
            return {
                "type": "AssumedRole",
                "principalId": "AROAV7CIRUNNER0EXAMPLE:gha-" + str(self.rng.randrange(10**6)),
                "arn": (
                    f"arn:aws:sts::{ACCOUNT}:assumed-role/ci-runner/gha-{self.rng.randrange(10**6)}"
                ),
                "accountId": ACCOUNT,
                "accessKeyId": "ASIA"
                + "".join(self.rng.choice("ABCDEFGHIJKLMNOP") for _ in range(16)),
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": "AROAV7CIRUNNER0EXAMPLE",
                        "arn": f"arn:aws:iam::{ACCOUNT}:role/ci-runner",
                        "accountId": ACCOUNT,
                        "userName": "ci-runner",
                    },
                    "attributes": {
                        "creationDate": "2026-10-01T00:00:00Z",
                        "mfaAuthenticated": "false",
                    },
                },
            }
        key = self.leaked_key if user == "svc-weights-sync" else self.user_keys[user]
        return {
            "type": "IAMUser",
            "principalId": "AIDA" + user.upper().replace("-", "")[:12].ljust(12, "X"),
            "arn": f"arn:aws:iam::{ACCOUNT}:user/{user}",
            "accountId": ACCOUNT,
            "accessKeyId": key,
            "userName": user,
        }

    def record(
        self,
        when: datetime,
        user: str,
        ip: str,
        agent: str,
        source: str,
        name: str,
        params: dict[str, Any] | None = None,
        *,
        data: bool = False,
        extra: dict[str, Any] | None = None,
        error: str | None = None,
        response: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        record: dict[str, Any] = {
            "eventVersion": "1.09",
            "userIdentity": self.identity(user),
            "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": source,
            "eventName": name,
            "awsRegion": REGION,
            "sourceIPAddress": ip,
            "userAgent": agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": "".join(self.rng.choice("0123456789ABCDEF") for _ in range(16)),
            "eventID": self.uid(),
            "readOnly": name.startswith(("Get", "List", "Head", "Describe")),
            "eventType": "AwsApiCall",
            "managementEvent": not data,
            "recipientAccountId": ACCOUNT,
            "eventCategory": "Data" if data else "Management",
        }
        if error:
            record["errorCode"] = error
            record["errorMessage"] = "Access Denied"
        if extra:
            record["additionalEventData"] = extra
        if data:
            bucket = (params or {}).get("bucketName", "")
            key = (params or {}).get("key")
            arn = f"arn:aws:s3:::{bucket}/{key}" if key else f"arn:aws:s3:::{bucket}"
            record["resources"] = [
                {"type": "AWS::S3::Object" if key else "AWS::S3::Bucket", "ARN": arn}
            ]
        return record

    def get(
        self, when: datetime, user: str, ip: str, agent: str, bucket: str, key: str, size: int
    ) -> dict[str, Any]:
        return self.record(
            when,
            user,
            ip,
            agent,
            "s3.amazonaws.com",
            "GetObject",
            {"bucketName": bucket, "key": key, "Host": f"{bucket}.s3.{REGION}.amazonaws.com"},
            data=True,
            extra={"bytesTransferredIn": 0, "bytesTransferredOut": size},
        )

    def put(
        self, when: datetime, user: str, ip: str, agent: str, bucket: str, key: str, size: int
    ) -> dict[str, Any]:
        return self.record(
            when,
            user,
            ip,
            agent,
            "s3.amazonaws.com",
            "PutObject",
            {"bucketName": bucket, "key": key, "Host": f"{bucket}.s3.{REGION}.amazonaws.com"},
            data=True,
            extra={"bytesTransferredIn": size, "bytesTransferredOut": 0},
        )

    def list(
        self, when: datetime, user: str, ip: str, agent: str, bucket: str, prefix: str
    ) -> dict[str, Any]:
        return self.record(
            when,
            user,
            ip,
            agent,
            "s3.amazonaws.com",
            "ListObjectsV2",
            {
                "bucketName": bucket,
                "prefix": prefix,
                "list-type": "2",
                "Host": f"{bucket}.s3.{REGION}.amazonaws.com",
            },
            data=True,
        )


def _objects() -> dict[str, list[tuple[str, int]]]:
    """The buckets' objects (key, size) the logs talk about."""
    checkpoints = [
        (
            f"{MODEL_PREFIX}run-{run}/epoch-{epoch:03d}/shard-{shard}.safetensors",
            900_000_000 + 1_000_003 * (run + epoch + shard),
        )
        for run in range(1, 8)
        for epoch in range(0, 60, 2)
        for shard in range(2)
    ]
    plm = [(f"protein-lm-v3/model-0000{i}-of-00002.safetensors", 4_800_000_000) for i in (1, 2)]
    shards = [
        (f"{DATASET_PREFIX}part-{i:05d}.parquet", 310_000_000 + 7_919 * i) for i in range(480)
    ]
    trials = [
        ("trials/CTX-104/sdtm/dm.csv", 48_213),
        ("trials/CTX-104/sdtm/ae.csv", 391_112),
        ("trials/CTX-104/sdtm/lb.csv", 2_883_410),
        (CANARY_KEY, 12_288),
    ]
    return {MODELS: checkpoints + plm, DATASETS: shards + trials}


def _office_time(rng: random.Random, day: int) -> datetime:
    return EPOCH.replace(hour=0) + timedelta(
        days=day, hours=rng.randint(7, 17), seconds=rng.randrange(3600)
    )


def _baseline(
    trail: _Trail, rng: random.Random, day: int, objects: dict[str, list[tuple[str, int]]]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    weekday = (EPOCH + timedelta(days=day)).weekday() < 5
    models, datasets = objects[MODELS], objects[DATASETS]
    for user in RESEARCHERS if weekday else RESEARCHERS[:1]:
        ip = f"{OFFICE}.{10 + RESEARCHERS.index(user)}"
        agent = BOTO_UA if user != "sbauer" else CONSOLE_UA
        if rng.random() < 0.3:
            out.append(
                trail.record(
                    _office_time(rng, day),
                    user,
                    ip,
                    CONSOLE_UA,
                    "signin.amazonaws.com",
                    "ConsoleLogin",
                    response={"ConsoleLogin": "Success"},
                    extra={"MFAUsed": "Yes"},
                )
            )
        for _ in range(rng.randint(15, 45)):
            bucket, pool = (MODELS, models) if rng.random() < 0.4 else (DATASETS, datasets[:480])
            key, size = rng.choice(pool[:60] if bucket == MODELS else pool)
            out.append(trail.get(_office_time(rng, day), user, ip, agent, bucket, key, size))
        for _ in range(rng.randint(1, 4)):
            out.append(
                trail.list(
                    _office_time(rng, day),
                    user,
                    ip,
                    agent,
                    rng.choice([MODELS, DATASETS]),
                    rng.choice([MODEL_PREFIX, DATASET_PREFIX, ""]),
                )
            )
    # CI: short-lived role sessions list and read configs.
    for _ in range(rng.randint(4, 10)):
        when = _office_time(rng, day)
        ip = f"203.0.113.{rng.randint(20, 40)}"
        out.append(
            trail.record(when, "ci-runner", ip, BOTO_UA, "sts.amazonaws.com", "GetCallerIdentity")
        )
        out.append(
            trail.list(when + timedelta(seconds=2), "ci-runner", ip, BOTO_UA, MODELS, "configs/")
        )
        out.append(
            trail.get(
                when + timedelta(seconds=4),
                "ci-runner",
                ip,
                BOTO_UA,
                MODELS,
                "configs/docking.yaml",
                2_311,
            )
        )
    # Training service account: nightly reads of a slice of the HTS screen from the cluster.
    start = EPOCH.replace(hour=22) + timedelta(days=day)
    first = rng.randrange(0, 440)
    for n, (key, size) in enumerate(datasets[first : first + 40]):
        out.append(
            trail.get(
                start + timedelta(seconds=20 * n),
                "svc-training",
                f"{TRAINING_NET}.{11 + n % 4}",
                BOTO_UA,
                DATASETS,
                key,
                size,
            )
        )
    # Weights sync: uploads the day's docking checkpoints.
    run = 1 + day // 5
    for shard in range(2):
        key = f"{MODEL_PREFIX}run-{run}/epoch-{(day * 2) % 60:03d}/shard-{shard}.safetensors"
        out.append(
            trail.put(
                start + timedelta(hours=1, minutes=shard),
                "svc-weights-sync",
                f"{TRAINING_NET}.20",
                BOTO_UA,
                MODELS,
                key,
                910_000_000,
            )
        )
    out.append(
        trail.record(
            _office_time(rng, day),
            "mlarsen",
            f"{OFFICE}.11",
            BOTO_UA,
            "ec2.amazonaws.com",
            "DescribeInstances",
        )
    )
    return out


def _intrusion(
    trail: _Trail, rng: random.Random, objects: dict[str, list[tuple[str, int]]]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    user, agent = "svc-weights-sync", ATTACKER_UA
    ip = f"{ATTACKER_NET}.{rng.randint(2, 250)}"
    t = EPOCH.replace(hour=1, minute=12) + timedelta(days=INTRUSION_DAY)

    def step(seconds: float) -> datetime:
        nonlocal t
        t += timedelta(seconds=seconds)
        return t

    # Reconnaissance with the stolen key.
    out.append(trail.record(step(0), user, ip, agent, "sts.amazonaws.com", "GetCallerIdentity"))
    out.append(trail.record(step(4), user, ip, agent, "s3.amazonaws.com", "ListBuckets"))
    out.append(
        trail.record(
            step(3), user, ip, agent, "iam.amazonaws.com", "ListUsers", error="AccessDenied"
        )
    )
    out.append(
        trail.record(
            step(2),
            user,
            ip,
            agent,
            "iam.amazonaws.com",
            "ListAccessKeys",
            {"userName": "svc-training"},
        )
    )
    for bucket in (MODELS, DATASETS, "acme-terraform-state", "acme-logs"):
        out.append(
            trail.record(
                step(2),
                user,
                ip,
                agent,
                "s3.amazonaws.com",
                "GetBucketPolicy",
                {"bucketName": bucket},
                data=False,
            )
        )
        out.append(
            trail.record(
                step(1),
                user,
                ip,
                agent,
                "s3.amazonaws.com",
                "GetBucketAcl",
                {"bucketName": bucket},
                data=False,
            )
        )
    prefixes = [
        "",
        "docking/",
        "protein-lm-v3/",
        "configs/",
        "assays/",
        "assays/hts-screen-2026q3/",
        "trials/",
        "trials/CTX-104/",
        "trials/CTX-104/sdtm/",
        "trials/CTX-104/linkage/",
        "omics/",
        "compounds/",
    ]
    for _ in range(3):
        for prefix in prefixes:
            bucket = (
                DATASETS
                if prefix.startswith(("assays", "trials", "omics", "compounds"))
                else MODELS
            )
            out.append(trail.list(step(rng.uniform(1, 6)), user, ip, agent, bucket, prefix))
    # Persistence and evasion.
    out.append(
        trail.record(
            step(40),
            user,
            ip,
            agent,
            "iam.amazonaws.com",
            "CreateAccessKey",
            {"userName": "svc-training"},
            response={
                "accessKey": {
                    "userName": "svc-training",
                    "accessKeyId": "AKIAV7NEWKEYEXAMPLE1",
                    "status": "Active",
                }
            },
        )
    )
    out.append(
        trail.record(
            step(30),
            user,
            ip,
            agent,
            "s3.amazonaws.com",
            "PutBucketLogging",
            {
                "bucketName": DATASETS,
                "BucketLoggingStatus": {"xmlns": "http://doc.s3.amazonaws.com/2006-03-01/"},
            },
        )
    )
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{MODELS}/docking/*",
            }
        ],
    }
    out.append(
        trail.record(
            step(25),
            user,
            ip,
            agent,
            "s3.amazonaws.com",
            "PutBucketPolicy",
            {"bucketName": MODELS, "bucketPolicy": policy},
        )
    )
    out.append(
        trail.record(
            step(5),
            user,
            ip,
            agent,
            "s3.amazonaws.com",
            "DeleteBucketPublicAccessBlock",
            {"bucketName": MODELS},
        )
    )
    # Bulk downloads at night on three nights, with the canary touched on the way.
    models, datasets = objects[MODELS], objects[DATASETS]
    nights = [
        (INTRUSION_DAY, [(MODELS, k, s) for k, s in models[:210]]),
        (
            INTRUSION_DAY + 1,
            [(MODELS, k, s) for k, s in models[210:]]
            + [(DATASETS, k, s) for k, s in datasets[:140]],
        ),
        (INTRUSION_DAY + 2, [(DATASETS, k, s) for k, s in datasets[140:]]),
    ]
    for day, items in nights:
        hour = 2 if day == INTRUSION_DAY else 0
        t = EPOCH.replace(hour=hour, minute=40) + timedelta(days=day, minutes=rng.randrange(30))
        ip = f"{ATTACKER_NET}.{rng.randint(2, 250)}"
        for bucket, key, size in items:
            out.append(trail.get(step(rng.uniform(3, 9)), user, ip, agent, bucket, key, size))
    return out


def _s3_access_lines(records: list[dict[str, Any]], rng: random.Random) -> list[str]:
    """The S3 server access log lines of the dataset bucket's object reads (until logging stops)."""
    lines = []
    for record in records:
        params = record.get("requestParameters") or {}
        if params.get("bucketName") != DATASETS or record["eventName"] != "GetObject":
            continue
        when = datetime.strptime(record["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
        size = record["additionalEventData"]["bytesTransferredOut"]
        key = params["key"]
        arn = record["userIdentity"]["arn"]
        lines.append(
            f"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be {DATASETS} "
            f"[{when:%d/%b/%Y:%H:%M:%S} +0000] {record['sourceIPAddress']} {arn} "
            f"{record['requestID']} REST.GET.OBJECT {key} "
            f'"GET /{DATASETS}/{key} HTTP/1.1" 200 - '
            f"{size} {size} {rng.randint(40, 900)} {rng.randint(10, 90)} "
            f'"-" "{record["userAgent"]}" - '
            f"{uuid.UUID(int=rng.getrandbits(128)).hex}= SigV4 ECDHE-RSA-AES128-GCM-SHA256 "
            "AuthHeader "
            f"{DATASETS}.s3.{REGION}.amazonaws.com TLSv1.3 - -"
        )
    return lines


def build(lab: Lab) -> None:
    """Write 30 days of CloudTrail and S3 access logs with the intrusion at the end."""
    rng = random.Random(lab.seed + 5)
    key_id = str(lab.facts.get("leaked_key", {}).get("key_id", "AKIA7BFLQEA3OLP2DCHR"))
    trail = _Trail(rng, key_id)
    objects = _objects()
    intrusion = _intrusion(trail, rng, objects)
    by_day: dict[int, list[dict[str, Any]]] = {}
    for day in range(DAYS):
        by_day[day] = _baseline(trail, rng, day, objects)
    for record in intrusion:
        day = (
            datetime.strptime(record["eventTime"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=EPOCH.tzinfo
            )
            - EPOCH.replace(hour=0)
        ).days
        by_day.setdefault(day, []).append(record)
    logging_off = min(r["eventTime"] for r in intrusion if r["eventName"] == "PutBucketLogging")
    for day, records in sorted(by_day.items()):
        records.sort(key=lambda r: r["eventTime"])
        date = EPOCH + timedelta(days=day)
        folder = f"logs/cloudtrail/AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/{date:%Y/%m/%d}"
        name = f"{ACCOUNT}_CloudTrail_{REGION}_{date:%Y%m%d}T0000Z_{trail.uid()[:16]}.json.gz"
        body = json.dumps({"Records": records}, separators=(",", ":")).encode()
        lab.write(f"{folder}/{name}", gzip.compress(body, mtime=0), day=day)
        lines = _s3_access_lines([r for r in records if r["eventTime"] < logging_off], rng)
        if lines:
            lab.write(
                f"logs/s3-access/{DATASETS}/{date:%Y-%m-%d}-00-00-00-{trail.uid()[:16].upper()}",
                "\n".join(lines) + "\n",
                day=day,
            )
    lab.facts["access_logs"] = {
        "cloudtrail": f"logs/cloudtrail/AWSLogs/{ACCOUNT}",
        "s3_access": f"logs/s3-access/{DATASETS}",
        "stolen_key": key_id,
        "attacker_network": f"{ATTACKER_NET}.0/24",
        "canary": f"s3://{DATASETS}/{CANARY_KEY}",
        "intrusion_day": INTRUSION_DAY,
        "events": sum(len(r) for r in by_day.values()),
    }
