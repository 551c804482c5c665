"""CloudTrail for a simulated population: everyday management calls and planted attacks.

:mod:`labwarden.watch.analytics.simulate` writes object reads; this module adds the control
plane the detections watch. Every day some of the population's people make a few ordinary
calls (who am I, describe instances, list training jobs) from their office network, so that
the CloudTrail source has history and novelty means something. Attacks are *planted* by
technique on a principal and a day, as the records AWS writes for them:

* ``console-no-mfa``: a console sign-in without MFA from an unfamiliar network;
* ``stop-logging``: the trail stopped, then deleted;
* ``snapshot-share``: an EBS snapshot, an AMI and an RDS snapshot shared with another account;
* ``key-for-other-user``: an access key created for a service user, and a console password;
* ``public-bucket``: a bucket policy granting everyone, and the public access block removed;
* ``secrets-sweep``: thirty secrets read within five minutes;
* ``bulk-restricted-read``: a listing sweep, then hundreds of restricted trial-data objects
  (about 60 GB) read within the hour, from a new network and with a new tool;
* ``mass-delete``: sixty objects deleted one by one within ten minutes.

Records are written as CloudTrail log files (``{"Records": [...]}``, one per day) and go into
a lake through labwarden's own ingest, so planted events are parsed as real ones are.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from labwarden.store.atomic import atomic_write
from labwarden.watch.analytics.simulate import Scenario

ACCOUNT = "111122223333"
ATTACKER_ACCOUNT = "444455556666"
ATTACKER_IP = "185.220.101.44"
ATTACKER_AGENT = "aws-cli/2.15.0 Python/3.11.6 Linux/6.5 exe/x86_64.kali"
AGENT = "Boto3/1.35.2 Python/3.11 Linux/6.8 Botocore/1.35.2"
ROUTINE = (
    ("sts.amazonaws.com", "GetCallerIdentity"),
    ("ec2.amazonaws.com", "DescribeInstances"),
    ("sagemaker.amazonaws.com", "ListTrainingJobs"),
    ("sagemaker.amazonaws.com", "DescribeTrainingJob"),
)
Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Plant:
    """A planted attack: its technique, the day it happens (index) and its principal."""

    technique: str
    day: int
    principal: int = 0
    """Index into the principals given to :func:`trail_records`."""


class _Day:
    """Builds the records of one principal on one day."""

    def __init__(self, when: date, user: str, ip: str, agent: str, rng: np.random.Generator):
        self.start = datetime(when.year, when.month, when.day, tzinfo=UTC)
        self.user, self.ip, self.agent, self.rng = user, ip, agent, rng

    def record(self, hour: float, source: str, name: str, **extra: Any) -> Record:
        """One record at ``hour`` (fractional) of the day."""
        when = self.start + timedelta(hours=hour)
        record: Record = {
            "eventVersion": "1.09",
            "userIdentity": {
                "type": "IAMUser",
                "principalId": f"AIDA{zlib.crc32(self.user.encode()):012d}",
                "arn": f"arn:aws:iam::{ACCOUNT}:user/{self.user}",
                "accountId": ACCOUNT,
                "accessKeyId": f"AKIA{zlib.crc32(self.user.encode()) * 7:016d}",
                "userName": self.user,
            },
            "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": source,
            "eventName": name,
            "awsRegion": "eu-north-1",
            "sourceIPAddress": self.ip,
            "userAgent": self.agent,
            "requestParameters": None,
            "responseElements": None,
            "requestID": f"{self.rng.integers(2**63):016x}",
            "eventID": f"{self.rng.integers(2**63):016x}-{self.rng.integers(2**63):016x}",
            "readOnly": name.startswith(("Get", "List", "Describe")),
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": ACCOUNT,
            "eventCategory": "Management",
        }
        record.update(extra)
        return record

    def burst(self, hour: float, minutes: float, count: int) -> list[float]:
        """``count`` sorted hours within ``minutes`` after ``hour``."""
        return sorted(hour + self.rng.random(count) * minutes / 60)

    def object_call(self, hour: float, name: str, bucket: str, key: str, size: int) -> Record:
        """An S3 data event on one object."""
        return self.record(
            hour,
            "s3.amazonaws.com",
            name,
            requestParameters={"bucketName": bucket, "key": key},
            additionalEventData={"bytesTransferredOut": size} if size else None,
            resources=[{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"}],
            managementEvent=False,
            eventCategory="Data",
        )


def _console_no_mfa(d: _Day) -> list[Record]:
    return [
        d.record(
            2.5,
            "signin.amazonaws.com",
            "ConsoleLogin",
            additionalEventData={"MFAUsed": "No", "LoginTo": "https://console.aws.amazon.com"},
            responseElements={"ConsoleLogin": "Success"},
        )
    ]


def _stop_logging(d: _Day) -> list[Record]:
    trail = {"name": f"arn:aws:cloudtrail:eu-north-1:{ACCOUNT}:trail/org-trail"}
    return [
        d.record(2.6, "cloudtrail.amazonaws.com", "StopLogging", requestParameters=trail),
        d.record(2.7, "cloudtrail.amazonaws.com", "DeleteTrail", requestParameters=trail),
    ]


def _snapshot_share(d: _Day) -> list[Record]:
    add = {"add": {"items": [{"userId": ATTACKER_ACCOUNT}]}}
    return [
        d.record(
            3.0,
            "ec2.amazonaws.com",
            "ModifySnapshotAttribute",
            requestParameters={
                "snapshotId": "snap-0a1b2c3d4e5f60718",
                "createVolumePermission": add,
            },
        ),
        d.record(
            3.1,
            "ec2.amazonaws.com",
            "ModifyImageAttribute",
            requestParameters={"imageId": "ami-0a1b2c3d4e5f60718", "launchPermission": add},
        ),
        d.record(
            3.2,
            "rds.amazonaws.com",
            "ModifyDBSnapshotAttribute",
            requestParameters={
                "dBSnapshotIdentifier": "trials-db-nightly",
                "attributeName": "restore",
                "valuesToAdd": [ATTACKER_ACCOUNT],
            },
        ),
    ]


def _key_for_other_user(d: _Day) -> list[Record]:
    other = "svc-dataset-sync"
    key = {"userName": other, "accessKeyId": "AKIA0000SIMULATED001", "status": "Active"}
    return [
        d.record(
            3.4,
            "iam.amazonaws.com",
            "CreateAccessKey",
            requestParameters={"userName": other},
            responseElements={"accessKey": key},
        ),
        d.record(
            3.5,
            "iam.amazonaws.com",
            "CreateLoginProfile",
            requestParameters={"userName": other, "passwordResetRequired": False},
        ),
    ]


def _public_bucket(d: _Day) -> list[Record]:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::acme-models-prod/*",
            }
        ],
    }
    return [
        d.record(
            3.6,
            "s3.amazonaws.com",
            "DeleteBucketPublicAccessBlock",
            requestParameters={"bucketName": "acme-models-prod", "publicAccessBlock": ""},
        ),
        d.record(
            3.7,
            "s3.amazonaws.com",
            "PutBucketPolicy",
            requestParameters={"bucketName": "acme-models-prod", "bucketPolicy": policy},
        ),
    ]


def _secrets_sweep(d: _Day) -> list[Record]:
    return [
        d.record(
            hour,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            requestParameters={"secretId": f"ml/pipeline-{k:02d}/api-key"},
        )
        for k, hour in enumerate(d.burst(4.0, 5, 30))
    ]


def _bulk_restricted_read(d: _Day) -> list[Record]:
    bucket = "acme-clinical"
    listing = [
        d.record(
            hour,
            "s3.amazonaws.com",
            "ListObjectsV2",
            requestParameters={"bucketName": bucket, "prefix": f"trials/team{k % 4 * 5:02d}/"},
        )
        for k, hour in enumerate(d.burst(4.2, 8, 30))
    ]
    reads = [
        d.object_call(
            hour,
            "GetObject",
            bucket,
            f"trials/team{k % 4 * 5:02d}/part-{k:05d}.parquet",
            int(200e6 * d.rng.lognormal(0, 0.2)),
        )
        for k, hour in enumerate(d.burst(4.4, 50, 300))
    ]
    return listing + reads


def _mass_delete(d: _Day) -> list[Record]:
    return [
        d.object_call(hour, "DeleteObject", "acme-models-prod", f"models/team01/ckpt-{k:04d}.pt", 0)
        for k, hour in enumerate(d.burst(5.0, 8, 60))
    ]


TECHNIQUES: dict[str, Callable[[_Day], list[Record]]] = {
    "console-no-mfa": _console_no_mfa,
    "stop-logging": _stop_logging,
    "snapshot-share": _snapshot_share,
    "key-for-other-user": _key_for_other_user,
    "public-bucket": _public_bucket,
    "secrets-sweep": _secrets_sweep,
    "bulk-restricted-read": _bulk_restricted_read,
    "mass-delete": _mass_delete,
}
"""Every technique that can be planted, by name."""

ALL_PLANTS = tuple(Plant(name, -1) for name in TECHNIQUES)
"""Every technique on the last day, by the first principal (a stolen key used end to end)."""


def _office_ip(index: int) -> str:
    return f"10.20.{index % 8 + 1}.17"


def trail_records(
    scenario: Scenario, principals: list[str], plants: list[Plant], people: int = 200
) -> dict[date, list[Record]]:
    """The CloudTrail records of every day: routine calls of the first ``people`` principals
    (three to five each working day) and the ``plants`` (a day of ``-1`` is the last day)."""
    rng = np.random.default_rng(scenario.seed + 1)
    crowd = principals[:people]
    by_day: dict[date, list[Record]] = {}
    for index in range(scenario.days):
        when = scenario.start + timedelta(days=index)
        records: list[Record] = []
        working = when.weekday() < 5
        for number, user in enumerate(crowd):
            if not working and rng.random() > 0.1:
                continue
            day = _Day(when, user, _office_ip(number), AGENT, rng)
            for hour in sorted(8 + rng.random(int(rng.integers(3, 6))) * 9):
                source, name = ROUTINE[int(rng.integers(len(ROUTINE)))]
                records.append(day.record(float(hour), source, name))
        for plant in plants:
            if plant.day % scenario.days != index:
                continue
            if plant.technique not in TECHNIQUES:
                raise ValueError(f"unknown technique {plant.technique!r}; see TECHNIQUES")
            day = _Day(when, principals[plant.principal], ATTACKER_IP, ATTACKER_AGENT, rng)
            records.extend(TECHNIQUES[plant.technique](day))
        by_day[when] = sorted(records, key=lambda r: str(r["eventTime"]))
    return by_day


def write_trail(
    scenario: Scenario, principals: list[str], plants: list[Plant], folder: Path
) -> list[Path]:
    """Write :func:`trail_records` as one CloudTrail log file per day under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for when, records in trail_records(scenario, principals, plants).items():
        stamp = when.strftime("%Y%m%dT0000Z")
        path = folder / f"{ACCOUNT}_CloudTrail_eu-north-1_{stamp}_sim.json"
        atomic_write(path, json.dumps({"Records": records}))
        written.append(path)
    return written
