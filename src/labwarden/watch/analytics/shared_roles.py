"""A labelled lab whose people share cloud roles, as CloudTrail S3 data-event files.

What the identity, sensitivity and noise work must survive, in logs that go through the whole
pipeline (parser, session identities, inferred sensitivity, rules, analytics):

* forty researchers share the role ``ml-researcher`` (role session names ``r00``..``r39``);
  they work office hours from the office network and read their team's datasets and models;
  two teams own pseudonymized trial data (``acme-trial-sdtm/teamNN/sdtm/*.xpt``); now and then
  one starts on another team's (open) data, or has a heavy day;
* eight nightly training jobs share the role ``training-job``: four run under a named session
  (``nightly-<model>``), four under a session name the SDK makes up every night (so they act as
  the role); each reads its whole dataset, tens of GB, every night;
* nothing is mapped: no ``resources.toml``, no catalog; sensitivity comes from names;
* attacks, labelled by principal-day: an **insider** (a researcher reading another team's trial
  data at several times its usual volume, office hours, usual network, two days) and a **slow
  exfiltration** (a researcher reading a little more than usual every day for ten days).

The files are written one per day (``YYYY-MM-DD.json``, a ``{"Records": [...]}`` document).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from labwarden.store.atomic import atomic_write

MB = 1024 * 1024
ACCOUNT = "111122223333"
OFFICE = "198.51.100"
CLUSTER = "10.100.4"
RESEARCHER_ROLE = "ml-researcher"
JOB_ROLE = "training-job"
TEAMS = 8
TRIAL_TEAMS = (0, 1)
DOMAINS = ("dm", "ae", "lb", "vs", "cm", "ex", "adsl", "adae")
BOTO = "Boto3/1.35.2 md/Botocore#1.35.2 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.9"


@dataclass(frozen=True, slots=True)
class RolesScenario:
    """Size and attacks of the lab."""

    days: int = 30
    researchers: int = 40
    jobs: int = 8
    reads_per_day: int = 40
    """Mean reads of a researcher on a working day."""
    start: date = date(2026, 9, 1)
    seed: int = 5
    insider: tuple[int, int, float] | None = (22, 2, 5.0)
    """``(first day, days, volume multiple)`` of the insider, or ``None``."""
    slow: tuple[int, int, float] | None = (17, 10, 1.6)
    """``(first day, days, volume multiple)`` of the slow exfiltration, or ``None``."""


@dataclass(slots=True)
class RolesTruth:
    """What the lab holds: attack principal-days and who the nightly jobs are."""

    positives: dict[tuple[str, date], str] = field(default_factory=dict)
    jobs: set[str] = field(default_factory=set)
    """The identities the nightly jobs act as (named sessions and the role itself)."""
    insider: str = ""
    slow: str = ""
    records: int = 0


def _team_objects(team: int) -> list[tuple[str, str, int]]:
    """``(bucket, key, size)`` of one team's data: datasets, models and (some) trial data."""
    rng = random.Random(team)  # noqa: S311 (a simulation)
    out = [
        ("acme-datasets", f"assays/team{team:02d}/plate-{k:04d}.parquet", rng.randint(5, 60) * MB)
        for k in range(120)
    ]
    out += [
        (
            "acme-models-prod",
            f"team{team:02d}/ckpt/step-{k:05d}.safetensors",
            rng.randint(50, 400) * MB,
        )
        for k in range(30)
    ]
    if team in TRIAL_TEAMS:
        out += [
            (
                "acme-trial-sdtm",
                f"team{team:02d}/sdtm/{domain}-{k:02d}.xpt",
                rng.randint(2, 30) * MB,
            )
            for domain in DOMAINS
            for k in range(6)
        ]
    return out


class _Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.records: list[dict[str, Any]] = []

    def read(
        self,
        when: datetime,
        role: str,
        session: str,
        ip: str,
        bucket: str,
        key: str,
        size: int,
    ) -> None:
        self.records.append(
            {
                "eventVersion": "1.09",
                "userIdentity": {
                    "type": "AssumedRole",
                    "principalId": f"AROAEXAMPLE{role.upper()[:6]}:{session}",
                    "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}",
                    "accountId": ACCOUNT,
                    "accessKeyId": f"ASIA{abs(hash((role, session))) % 10**12:012d}",
                    "sessionContext": {
                        "sessionIssuer": {
                            "type": "Role",
                            "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}",
                            "userName": role,
                        }
                    },
                },
                "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "eventSource": "s3.amazonaws.com",
                "eventName": "GetObject",
                "awsRegion": "eu-west-1",
                "sourceIPAddress": ip,
                "userAgent": BOTO,
                "requestParameters": {"bucketName": bucket, "key": key},
                "additionalEventData": {"bytesTransferredOut": size},
                "eventID": f"{self.rng.getrandbits(128):032x}",
                "readOnly": True,
                "eventType": "AwsApiCall",
                "recipientAccountId": ACCOUNT,
            }
        )


def write_scenario(scenario: RolesScenario, folder: Path) -> RolesTruth:
    """Write the lab's CloudTrail files into ``folder``; return what was injected."""
    rng = random.Random(scenario.seed)  # noqa: S311 (a simulation)
    folder.mkdir(parents=True, exist_ok=True)
    truth = RolesTruth()
    objects = [_team_objects(t) for t in range(TEAMS)]
    people = [f"r{i:02d}" for i in range(scenario.researchers)]
    team = {p: i % TEAMS for i, p in enumerate(people)}
    rate = {p: scenario.reads_per_day * rng.uniform(0.6, 1.5) for p in people}
    insider = people[18 % len(people)] if scenario.insider else ""
    slow = people[5 % len(people)] if scenario.slow else ""
    if insider and team[insider] in TRIAL_TEAMS:
        raise ValueError("the insider must not own trial data")
    truth.insider, truth.slow = insider, slow
    models = [
        "protein-lm",
        "tox-clf",
        "dock-v7",
        "assay-gnn",
        "sdtm-nlp",
        "mol-gen",
        "seq2fn",
        "cell-vit",
    ]
    jobs = [
        (f"nightly-{models[j % len(models)]}", j % TEAMS, j % 2 == 0) for j in range(scenario.jobs)
    ]
    for name, _, named in jobs:
        truth.jobs.add(name if named else JOB_ROLE)
    for index in range(scenario.days):
        day = scenario.start + timedelta(days=index)
        writer = _Writer(rng)
        weekday = day.weekday() < 5
        for person in people:
            if not weekday and rng.random() > 0.1:
                continue
            multiple = _attack_multiple(scenario, index, person, insider, slow)
            volume = multiple if person == slow else 1.0
            _researcher_day(writer, rng, day, person, team[person], rate[person] * volume, objects)
            if person == insider and multiple > 1:
                _insider_reads(writer, rng, day, person, rate[person] * multiple, objects)
                truth.positives[(person, day)] = "insider"
            elif person == slow and multiple > 1:
                truth.positives[(person, day)] = "slow-exfil"
        for name, job_team, named in jobs:
            _nightly(writer, rng, day, name, named, objects[job_team])
        writer.records.sort(key=lambda r: r["eventTime"])
        truth.records += len(writer.records)
        atomic_write(folder / f"{day.isoformat()}.json", json.dumps({"Records": writer.records}))
    return truth


def _attack_multiple(
    scenario: RolesScenario, index: int, person: str, insider: str, slow: str
) -> float:
    for who, plan in ((insider, scenario.insider), (slow, scenario.slow)):
        if person == who and plan is not None and plan[0] <= index < plan[0] + plan[1]:
            return plan[2]
    return 1.0


def _office_time(rng: random.Random, day: date) -> datetime:
    start = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
    return start + timedelta(seconds=rng.randint(0, 9 * 3600))


def _researcher_day(
    writer: _Writer,
    rng: random.Random,
    day: date,
    person: str,
    team: int,
    rate: float,
    objects: list[list[tuple[str, str, int]]],
) -> None:
    ip = f"{OFFICE}.{10 + int(person[1:]) % 200}"
    reads = max(1, int(rng.gauss(rate, rate * 0.25)))
    if rng.random() < 0.05:  # a heavy day: a new experiment
        reads *= 3
    pool = objects[team]
    if rng.random() < 0.02:  # starting on another team's open data
        other = objects[(team + rng.randint(1, TEAMS - 1)) % TEAMS]
        pool = pool + [o for o in other if o[0] != "acme-trial-sdtm"][:40]
    for _ in range(reads):
        bucket, key, size = rng.choice(pool)
        writer.read(_office_time(rng, day), RESEARCHER_ROLE, person, ip, bucket, key, size)


def _insider_reads(
    writer: _Writer,
    rng: random.Random,
    day: date,
    person: str,
    reads: float,
    objects: list[list[tuple[str, str, int]]],
) -> None:
    ip = f"{OFFICE}.{10 + int(person[1:]) % 200}"
    trial = [o for o in objects[TRIAL_TEAMS[0]] if o[0] == "acme-trial-sdtm"]
    for _ in range(int(reads)):
        bucket, key, size = rng.choice(trial)
        writer.read(_office_time(rng, day), RESEARCHER_ROLE, person, ip, bucket, key, size)


def _nightly(
    writer: _Writer,
    rng: random.Random,
    day: date,
    name: str,
    named: bool,
    pool: list[tuple[str, str, int]],
) -> None:
    start = datetime(day.year, day.month, day.day, 1, tzinfo=UTC)
    start += timedelta(minutes=rng.randint(0, 30))
    session = name if named else f"botocore-session-{int(start.timestamp())}{rng.randint(0, 99)}"
    ip = f"{CLUSTER}.{rng.randint(2, 250)}"
    data = [o for o in pool if o[0] != "acme-models-prod"]
    for k, (bucket, key, size) in enumerate(data):
        when = start + timedelta(seconds=k * 12)
        big = size * 20  # training shards are large
        writer.read(when, JOB_ROLE, session, ip, bucket, key, big)
