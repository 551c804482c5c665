"""A held-out lab for the shared-roles work: written after the rules were final, run once.

Nothing here was tuned on; it differs from :mod:`labwarden.watch.analytics.shared_roles` (the
development lab) in seed, account, names, sizes, hours and schedules:

* 28 data scientists share the role ``data-science`` (session names ``first.last``), five teams,
  working 13:00-23:00 UTC from ``203.0.113.0/24``; heavier noise than the development lab
  (7% heavy days at 2.5x, 4% of days on another team's corpora, 1% from a home network); a new
  data scientist joins on day 16;
* six contractors share ``vendor-labeling`` (sessions ``vendor-ann-NN``), each from its own
  network, reading small labelling batches on weekdays and some Saturdays;
* two IAM users with long-term keys (``dlee``, a developer reading weights; ``reporting-svc``
  reading reports around the clock);
* pipeline jobs sharing ``mlops-pipeline`` on different schedules: two nightly named jobs, one
  nightly job under SDK-made session names (it acts as the role), a weekly job (Sundays), a
  weekday job reading restricted clinical data, and a nightly job that starts mid-month; and a
  single replication job in its own role ``dr-replication`` every other day;
* clinical data (``northwind-clinical/study-NNN/adam/*.sas7bdat``) owned by one team, nothing
  mapped (sensitivity from names);
* attacks: a contractor who reads clinical data slowly over a week (a few files a day, usual
  hours and network), a stolen key (``dlee``'s, used at night from a network never seen), and a
  slow exfiltration (a data scientist at 1.5x its usual for twelve days).

Usage: ``python -m benchmarks.analytics.heldout_lab`` (prints the measures as JSON).
"""

from __future__ import annotations

import argparse
import json
import random
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.analytics.shared_roles import run_lab
from labwarden.watch.analytics.shared_roles import RolesTruth

MB = 1024 * 1024
ACCOUNT = "444455556666"
OFFICE = "203.0.113"
CLUSTER = "10.42.7"
HOME = "100.64.23"
THIEF = "198.18.77.14"
DS_ROLE = "data-science"
VENDOR_ROLE = "vendor-labeling"
PIPE_ROLE = "mlops-pipeline"
DR_ROLE = "dr-replication"
TEAMS = ("vision", "genomics", "nlp", "clinical", "chem")
CLINICAL_TEAM = 3
DOMAINS = ("adsl", "adae", "adlb", "advs", "adcm", "adex", "adtte")
FIRST = ("ana", "ben", "chen", "dara", "eli", "fay", "gus", "hana", "ivo", "jun", "kai", "lea")
LAST = ("kim", "okafor", "ruiz", "sato", "novak", "mehta", "berg", "adeyemi", "lund", "park")
AGENTS = (
    "aws-cli/2.22.4 md/awscrt#0.23.4 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6",
    "Boto3/1.35.71 md/Botocore#1.35.71 ua/2.0 os/linux#5.15 md/arch#x86_64 lang/python#3.10.12",
    "aws-sdk-java/2.29.20 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.13 Java/17.0.13",
)


@dataclass(frozen=True, slots=True)
class HeldoutScenario:
    """Size, dates and seed of the held-out lab."""

    days: int = 30
    start: date = date(2026, 11, 2)
    seed: int = 2027
    scientists: int = 28
    contractors: int = 6


Object = tuple[str, str, int]


def _catalogue(rng: random.Random) -> dict[str, list[Object]]:
    """``"<team>/<kind>" -> objects``: corpora, weights, clinical data, labelling queue."""
    out: dict[str, list[Object]] = {}
    for team in TEAMS:
        out[f"{team}/corpora"] = [
            (
                "northwind-corpora",
                f"{team}/shards/shard-{k:05d}.jsonl.zst",
                rng.randint(40, 250) * MB,
            )
            for k in range(80)
        ]
        out[f"{team}/weights"] = [
            (
                "northwind-weights",
                f"{team}/runs/run-{r:03d}/model-{k + 1:05d}-of-00008.safetensors",
                rng.randint(500, 2000) * MB,
            )
            for r in range(3)
            for k in range(8)
        ]
    out["clinical/adam"] = [
        ("northwind-clinical", f"study-{s}/adam/{d}.sas7bdat", rng.randint(5, 80) * MB)
        for s in (214, 305, 417)
        for d in DOMAINS
    ]
    out["labeling/queue"] = [
        ("northwind-labeling", f"queue/batch-{b:04d}/items-{k:03d}.jsonl", rng.randint(1, 8) * MB)
        for b in range(60)
        for k in range(10)
    ]
    return out


def _digits(text: str, width: int) -> str:
    """``width`` digits derived from ``text`` (the same in every process, unlike ``hash``)."""
    return f"{zlib.crc32(text.encode()) % 10**width:0{width}d}"


class _Writer:
    """CloudTrail ``GetObject`` data events of one day."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.records: list[dict[str, Any]] = []

    def assumed(self, role: str, session: str) -> dict[str, Any]:
        """``userIdentity`` of a session of ``role``."""
        return {
            "type": "AssumedRole",
            "principalId": f"AROA{_digits(role, 10)}:{session}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}",
            "accountId": ACCOUNT,
            "accessKeyId": f"ASIA{_digits(role + session, 12)}",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}",
                    "userName": role,
                }
            },
        }

    @staticmethod
    def iam_user(name: str) -> dict[str, Any]:
        """``userIdentity`` of an IAM user with a long-term key."""
        return {
            "type": "IAMUser",
            "principalId": f"AIDA{_digits(name, 12)}",
            "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "accountId": ACCOUNT,
            "accessKeyId": f"AKIA{_digits(name + '/key', 12)}",
            "userName": name,
        }

    def read(
        self, when: datetime, identity: dict[str, Any], ip: str, agent: str, obj: Object
    ) -> None:
        """One read of ``obj``."""
        bucket, key, size = obj
        self.records.append(
            {
                "eventVersion": "1.10",
                "userIdentity": identity,
                "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "eventSource": "s3.amazonaws.com",
                "eventName": "GetObject",
                "awsRegion": "us-east-2",
                "sourceIPAddress": ip,
                "userAgent": agent,
                "requestParameters": {"bucketName": bucket, "key": key, "Host": bucket},
                "additionalEventData": {"bytesTransferredOut": size},
                "eventID": f"{self.rng.getrandbits(128):032x}",
                "readOnly": True,
                "eventType": "AwsApiCall",
                "managementEvent": False,
                "recipientAccountId": ACCOUNT,
            }
        )


@dataclass(frozen=True, slots=True)
class _Person:
    session: str
    team: int
    rate: float
    ip: str
    agent: str
    joins: int = 0
    """Index of the first day the person works."""


def _at(day: date, hour: float, rng: random.Random, span_hours: float) -> datetime:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour)
    return start + timedelta(seconds=rng.randint(0, int(span_hours * 3600) - 1))


class _Lab:
    def __init__(self, scenario: HeldoutScenario) -> None:
        self.s = scenario
        self.rng = random.Random(scenario.seed)
        self.objects = _catalogue(self.rng)
        self.truth = RolesTruth()
        names = [f"{first}.{last}" for last in LAST for first in FIRST]
        self.rng.shuffle(names)
        self.scientists = [
            _Person(
                names[i],
                i % len(TEAMS),
                self.rng.uniform(10, 50),
                f"{OFFICE}.{20 + i}",
                AGENTS[self.rng.randrange(2)],
            )
            for i in range(scenario.scientists)
        ]
        self.scientists.append(
            _Person(names[scenario.scientists], 2, 25.0, f"{OFFICE}.99", AGENTS[1], joins=15)
        )
        self.contractors = [
            _Person(
                f"vendor-ann-{i + 1:02d}",
                -1,
                self.rng.uniform(40, 90),
                f"192.0.2.{40 + i}",
                AGENTS[1],
            )
            for i in range(scenario.contractors)
        ]
        self.slow = self.scientists[9]
        self.insider = self.contractors[3]
        self.truth.slow, self.truth.insider = self.slow.session, self.insider.session
        self.truth.jobs |= {
            "etl-dedup",
            "etl-tokenize",
            PIPE_ROLE,
            "weekly-retrain",
            "weekday-report",
            "etl-multilingual",
            "replicator",
        }

    def write(self, folder: Path) -> RolesTruth:
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(self.s.days):
            day = self.s.start + timedelta(days=index)
            writer = _Writer(self.rng)
            self._scientists(writer, index, day)
            self._contractors(writer, index, day)
            self._developer(writer, index, day)
            self._reporting(writer, day)
            self._jobs(writer, index, day)
            writer.records.sort(key=lambda r: r["eventTime"])
            self.truth.records += len(writer.records)
            (folder / f"{day.isoformat()}.json").write_text(json.dumps({"Records": writer.records}))
        return self.truth

    def _scientists(self, writer: _Writer, index: int, day: date) -> None:
        rng = self.rng
        for person in self.scientists:
            if index < person.joins or (day.weekday() >= 5 and rng.random() > 0.12):
                continue
            reads = max(1, int(rng.gauss(person.rate, person.rate * 0.3)))
            if rng.random() < 0.07:
                reads = int(reads * 2.5)
            if person is self.slow and 10 <= index < 22:
                reads = int(reads * 1.5)
                self.truth.positives[(person.session, day)] = "slow-exfil"
            team = TEAMS[person.team]
            pool = self.objects[f"{team}/corpora"] + self.objects[f"{team}/weights"][:8]
            if person.team == CLINICAL_TEAM:
                pool = pool + self.objects["clinical/adam"]
            if rng.random() < 0.04:
                other = TEAMS[(person.team + rng.randint(1, len(TEAMS) - 1)) % len(TEAMS)]
                pool = pool + self.objects[f"{other}/corpora"][:30]
            ip = f"{HOME}.{rng.randint(2, 250)}" if rng.random() < 0.01 else person.ip
            who = writer.assumed(DS_ROLE, person.session)
            for _ in range(reads):
                writer.read(_at(day, 13, rng, 10), who, ip, person.agent, rng.choice(pool))

    def _contractors(self, writer: _Writer, index: int, day: date) -> None:
        rng = self.rng
        for person in self.contractors:
            saturday = day.weekday() == 5 and rng.random() < 0.3
            if day.weekday() >= 5 and not saturday:
                continue
            who = writer.assumed(VENDOR_ROLE, person.session)
            reads = max(1, int(rng.gauss(person.rate, person.rate * 0.25)))
            for _ in range(reads):
                obj = rng.choice(self.objects["labeling/queue"])
                writer.read(_at(day, 14, rng, 8), who, person.ip, person.agent, obj)
            if person is self.insider and 15 <= index < 22:
                for _ in range(rng.randint(3, 6)):
                    obj = rng.choice(self.objects["clinical/adam"])
                    writer.read(_at(day, 14, rng, 8), who, person.ip, person.agent, obj)
                self.truth.positives[(person.session, day)] = "insider"

    def _developer(self, writer: _Writer, index: int, day: date) -> None:
        rng = self.rng
        who = writer.iam_user("dlee")
        if day.weekday() < 5:
            for _ in range(rng.randint(4, 12)):
                obj = rng.choice(self.objects["vision/weights"])
                writer.read(_at(day, 14, rng, 9), who, f"{OFFICE}.77", AGENTS[0], obj)
        if index == 19:  # the key, stolen, used at night from a network never seen
            for team in ("vision", "nlp", "genomics"):
                for obj in self.objects[f"{team}/weights"]:
                    writer.read(_at(day, 2, rng, 2), who, THIEF, AGENTS[0], obj)
            self.truth.positives[("dlee", day)] = "stolen-key"

    def _reporting(self, writer: _Writer, day: date) -> None:
        rng = self.rng
        who = writer.iam_user("reporting-svc")
        for hour in range(24):
            obj = rng.choice(self.objects["labeling/queue"][:40])
            writer.read(_at(day, hour, rng, 1), who, f"{CLUSTER}.5", AGENTS[2], obj)

    def _jobs(self, writer: _Writer, index: int, day: date) -> None:
        rng = self.rng
        o = self.objects
        nightly = [
            ("etl-dedup", 3.0, o["nlp/corpora"]),
            ("etl-tokenize", 4.0, o["vision/corpora"]),
            ("", 5.0, o["genomics/corpora"] + o["genomics/weights"]),
        ]
        if day.weekday() == 6:
            nightly.append(("weekly-retrain", 2.0, o["chem/corpora"] + o["chem/weights"]))
        if day.weekday() < 5:
            nightly.append(("weekday-report", 6.0, o["clinical/adam"]))
        if index >= 13:
            nightly.append(("etl-multilingual", 3.5, o["nlp/corpora"][:60]))
        for session, hour, data in nightly:
            start = _at(day, hour, rng, 0.5)
            name = session or f"aws-sdk-java-{int(start.timestamp() * 1000)}"
            who = writer.assumed(PIPE_ROLE, name)
            ip = f"{CLUSTER}.{rng.randint(10, 200)}"
            for k, obj in enumerate(data):
                writer.read(start + timedelta(seconds=5 * k), who, ip, AGENTS[1], obj)
        if index % 2 == 0:
            start = _at(day, 0, rng, 1)
            who = writer.assumed(DR_ROLE, "replicator")
            every = [x for team in TEAMS for x in o[f"{team}/weights"]]
            for k, obj in enumerate(every):
                writer.read(start + timedelta(seconds=3 * k), who, f"{CLUSTER}.9", AGENTS[1], obj)


WORK = Path(__file__).resolve().parents[1] / ".work" / "heldout-lab"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.parse_args()
    scenario = HeldoutScenario()
    result = run_lab(_Lab(scenario).write, scenario.start, scenario.days, WORK)
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
