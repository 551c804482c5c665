"""A labelled population of object-store readers, for tests and benchmarks of the analytics.

The population has teams that own model and dataset prefixes (one team owns restricted trial
data), researchers who work office hours from a few networks, nightly training jobs that read
whole datasets, and service accounts that work around the clock. Ordinary noise is built in:
heavy days, travel from a new network and country, new projects. Attacks are injected with an
intensity and labelled by principal-day:

* ``stolen-key``: a researcher's key used at night from a new network and country with a new
  tool, a listing sweep, then bulk reads of model and dataset prefixes across teams;
* ``insider``: a researcher reads another team's restricted data during office hours, from the
  usual network, at a multiple of its usual volume;
* ``slow-exfil``: a principal reads a little more than usual every day for ten days, from the
  usual place and at the usual hours (under any daily threshold).

Events are generated with numpy, one day at a time, with dictionary-encoded strings, and written
as Parquet in the lake layout (``source=sim/day=YYYY-MM-DD/``) with the lake's column names.
Every event has an ``event_uid`` and the prefix it touched as its ``asset_name``, as ingested
events do, so that the detections' novelty columns (first use of an asset, network, country or
user agent) work on the population as on a real lake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labwarden.store.lake import Lake

MB = 1024 * 1024
OFFICE_NETWORKS = [f"10.20.{i}.0/24" for i in range(1, 9)]
CLUSTER_NETWORKS = [f"10.100.{i}.0/24" for i in range(1, 5)]
TRAVEL_NETWORKS = [f"192.0.2.{i * 16}/28" for i in range(8)]
ATTACK_NETWORK = "185.220.101.0/24"
TOOLS = ["python-requests/2.32.3", "Boto3/1.35.2 Python/3.11", "aws-cli/2.17.0 Python/3.11"]
ATTACK_TOOLS = ["rclone/v1.68.1", "curl/8.5.0"]
OPERATIONS = ["GetObject", "ListObjectsV2", "PutObject", "HeadObject"]
ACTIVITY = {
    "GetObject": "read",
    "ListObjectsV2": "list",
    "PutObject": "write",
    "HeadObject": "read",
}
KINDS = ("stolen-key", "insider", "slow-exfil")


@dataclass(frozen=True, slots=True)
class Attack:
    """An injected attack: its kind, intensity (a multiple of the usual volume) and first day."""

    kind: str
    intensity: float
    day: int
    """Index of the first day (0 is the scenario's first day)."""
    principal: int = -1
    """Index of the principal (``-1``: picked by the generator)."""


@dataclass(slots=True)
class Scenario:
    """Parameters of a simulated population."""

    principals: int = 400
    days: int = 40
    events_per_day: int = 40_000
    start: date = date(2026, 9, 1)
    seed: int = 7
    attacks: list[Attack] = field(default_factory=list)


@dataclass(slots=True)
class Truth:
    """What was injected: positive principal-days and the attacks they belong to."""

    principals: list[str]
    roles: list[str]
    positives: dict[tuple[str, date], str] = field(default_factory=dict)
    attacks: list[tuple[Attack, str, list[date]]] = field(default_factory=list)


@dataclass(slots=True)
class _Population:
    names: list[str]
    roles: np.ndarray  # 0 researcher, 1 training job, 2 service account
    team: np.ndarray
    rate: np.ndarray  # mean events per active day
    read_mb: np.ndarray  # mean MB per read
    start_hour: np.ndarray
    network: np.ndarray  # index into networks
    tool: np.ndarray  # index into tools
    country: np.ndarray  # index into countries


class _Vocabulary:
    """String dictionaries shared by every day, so that columns are integer codes."""

    def __init__(self, prefixes: list[str], names: list[str]) -> None:
        self.objects = 400
        self.prefixes = prefixes
        self.principals = names
        self.networks = [*OFFICE_NETWORKS, *CLUSTER_NETWORKS, *TRAVEL_NETWORKS, ATTACK_NETWORK]
        self.countries = ["DK", "SE", "DE", "US", "NL"]
        self.tools = [*TOOLS, *ATTACK_TOOLS]
        keys: list[str] = []
        for prefix in prefixes:
            folder = prefix.partition("/")[2]
            keys.extend(f"{folder}/part-{k:05d}.parquet" for k in range(self.objects))
        self.keys = pa.array(keys)
        self.buckets = pa.array([p.partition("/")[0] for p in prefixes])
        self.ips = pa.array([n.rsplit(".", 1)[0] + ".17" for n in self.networks])


def _prefixes(teams: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Prefixes, their owning team and their sensitivity code (0 restricted .. 3 public)."""
    names, owner, level = [], [], []
    for t in range(teams):
        for kind, sensitivity in (("models", 1), ("datasets", 2), ("features", 2), ("runs", 1)):
            bucket = "acme-models-prod" if kind in ("models", "runs") else "acme-datasets"
            names.append(f"{bucket}/{kind}/team{t:02d}")
            owner.append(t)
            level.append(sensitivity)
        if t % 5 == 0:
            names.append(f"acme-clinical/trials/team{t:02d}")
            owner.append(t)
            level.append(0)
    names.append("acme-datasets/public/reference")
    owner.append(-1)
    level.append(3)
    return names, np.array(owner), np.array(level)


SENSITIVITY_NAMES = ["restricted", "confidential", "internal", "public"]


def _square(rows: list[np.ndarray]) -> np.ndarray:
    """Rows of different lengths as one 2-D array (shorter rows repeat their values)."""
    width = max(len(r) for r in rows)
    return np.array([np.resize(r, width) for r in rows])


class Simulator:
    """Generates the events of a :class:`Scenario`, one day at a time."""

    def __init__(self, scenario: Scenario) -> None:
        self.s = scenario
        self.rng = np.random.default_rng(scenario.seed)
        n = scenario.principals
        self.teams = max(3, n // 25)
        names, owner, level = _prefixes(self.teams)
        self.prefix_owner = owner
        self.prefix_level = level
        roles = self.rng.choice(3, size=n, p=[0.7, 0.15, 0.15])
        names_p = [f"{['researcher', 'train-job', 'svc'][r]}-{i:05d}" for i, r in enumerate(roles)]
        team = self.rng.integers(0, self.teams, size=n)
        base_rate = scenario.events_per_day / n
        rate = base_rate * self.rng.lognormal(0, 0.5, size=n) * np.where(roles == 1, 2.0, 1.0)
        read_mb = np.where(roles == 1, 300.0, np.where(roles == 2, 2.0, 25.0)) * self.rng.lognormal(
            0, 0.4, size=n
        )
        start_hour = np.where(roles == 1, 1, np.where(roles == 2, 0, self.rng.integers(6, 11, n)))
        network = np.where(
            roles == 0,
            self.rng.integers(0, len(OFFICE_NETWORKS), n),
            len(OFFICE_NETWORKS) + self.rng.integers(0, len(CLUSTER_NETWORKS), n),
        )
        tool = self.rng.integers(0, len(TOOLS), n)
        country = np.where(self.rng.random(n) < 0.85, 0, self.rng.integers(1, 3, n))
        self.pop = _Population(
            names_p, roles, team, rate, read_mb, start_hour, network, tool, country
        )
        self.vocab = _Vocabulary(names, names_p)
        self.team_prefixes = [np.flatnonzero(owner == t) for t in range(self.teams)]
        self._all_prefixes = _square(self.team_prefixes)
        self._open_prefixes = _square([o[level[o] != 0] for o in self.team_prefixes])
        self.public_prefix = int(np.flatnonzero(owner == -1)[0])
        self.truth = Truth(names_p, [["researcher", "train-job", "svc"][r] for r in roles])
        self._plan = self._plan_attacks()

    def _plan_attacks(self) -> dict[int, list[tuple[Attack, int]]]:
        plan: dict[int, list[tuple[Attack, int]]] = {}
        researchers = np.flatnonzero(self.pop.roles == 0)
        for attack in self.s.attacks:
            victim = (
                attack.principal if attack.principal >= 0 else int(self.rng.choice(researchers))
            )
            span = {"stolen-key": 1, "insider": 2, "slow-exfil": 10}[attack.kind]
            days = [attack.day + k for k in range(span) if attack.day + k < self.s.days]
            dates = [self.s.start + timedelta(days=d) for d in days]
            name = self.pop.names[victim]
            self.truth.attacks.append((attack, name, dates))
            for d, when in zip(days, dates, strict=True):
                plan.setdefault(d, []).append((attack, victim))
                self.truth.positives[(name, when)] = attack.kind
        return plan

    def day(self, index: int) -> pa.Table:
        """The events of day ``index``."""
        rng = self.rng
        p = self.pop
        when = self.s.start + timedelta(days=index)
        weekend = when.weekday() >= 5
        n = len(p.names)
        active_p = np.where(
            p.roles == 0, 0.15 if weekend else 0.85, np.where(p.roles == 1, 0.95, 1.0)
        )
        active = rng.random(n) < active_p
        counts = np.where(active, rng.poisson(p.rate * rng.lognormal(0, 0.3, n)), 0)
        who = np.repeat(np.arange(n), counts)
        total = len(who)
        roles = p.roles[who]
        span = np.where(roles == 0, 10.0, np.where(roles == 1, 4.0, 24.0))
        hours = p.start_hour[who] + rng.random(total) * span
        network = p.network[who].copy()
        country = p.country[who].copy()
        tool = p.tool[who].copy()
        # Ordinary noise: a researcher travelling (new network and country) on 1% of days.
        travelling = (p.roles == 0) & (rng.random(n) < 0.01)
        moved = travelling[who]
        trip = len(OFFICE_NETWORKS) + len(CLUSTER_NETWORKS)
        trip_of = trip + rng.integers(0, len(TRAVEL_NETWORKS), n)  # one network per trip
        network[moved] = trip_of[who][moved]
        country[moved] = 3
        team_of = p.team[who]
        own = self._own_prefix(team_of)
        shared = rng.random(total) < 0.08
        prefix = np.where(shared, self.public_prefix, own)
        # New projects: 2% of researchers read another team's (non-restricted) data today.
        curious = ((p.roles == 0) & (rng.random(n) < 0.02))[who]
        project = rng.integers(0, self.teams, n)  # the one other team a new project touches
        other = self._own_prefix(project[who], allow_restricted=False)
        prefix = np.where(curious & (rng.random(total) < 0.3), other, prefix)
        op = rng.choice(4, size=total, p=[0.86, 0.06, 0.04, 0.04])
        op = np.where(roles == 1, np.where(rng.random(total) < 0.97, 0, 1), op)
        mb = p.read_mb[who] * rng.lognormal(0, 0.6, total)
        nbytes = np.where(op == 0, mb * MB, np.where(op == 2, mb * MB * 0.3, 0)).astype(np.int64)
        obj = rng.integers(0, self.vocab.objects, total)
        columns = {
            "who": who,
            "hours": hours,
            "network": network,
            "country": country,
            "tool": tool,
            "prefix": prefix,
            "op": op,
            "bytes": nbytes,
            "obj": obj,
        }
        for attack, victim in self._plan.get(index, []):
            extra = self._attack_events(attack, victim)
            for key, values in extra.items():
                columns[key] = np.concatenate([columns[key], values])
        return self._table(when, columns)

    def _own_prefix(self, teams: np.ndarray, allow_restricted: bool = True) -> np.ndarray:
        """A random prefix of each event's team (restricted ones only if allowed)."""
        table = self._all_prefixes if allow_restricted else self._open_prefixes
        picked: np.ndarray = table[teams, self.rng.integers(0, table.shape[1], len(teams))]
        return picked

    def _attack_events(self, attack: Attack, victim: int) -> dict[str, np.ndarray]:
        rng = self.rng
        p = self.pop
        usual_reads = max(int(p.rate[victim] * 0.86), 5)
        usual_mb = float(p.read_mb[victim])
        if attack.kind == "stolen-key":
            count = int(usual_reads * attack.intensity)
            lists = 200
            targets = np.flatnonzero(self.prefix_level <= 1)
            prefix = np.concatenate([rng.choice(targets, lists), rng.choice(targets, count)])
            op = np.concatenate([np.full(lists, 1), np.zeros(count, dtype=np.int64)])
            hours = 1 + rng.random(lists + count) * 3
            network = np.full(lists + count, len(self.vocab.networks) - 1)
            country = np.full(lists + count, 4)
            tool = np.full(lists + count, len(TOOLS) + rng.integers(0, len(ATTACK_TOOLS)))
            mb = np.concatenate([np.zeros(lists), usual_mb * rng.lognormal(0, 0.3, count)])
        else:
            count = int(
                usual_reads * attack.intensity * (0.5 if attack.kind == "slow-exfil" else 1)
            )
            if attack.kind == "insider":
                targets = np.flatnonzero(
                    (self.prefix_level == 0) & (self.prefix_owner != p.team[victim])
                )
            else:
                targets = np.flatnonzero(
                    (self.prefix_owner == p.team[victim]) & (self.prefix_level <= 1)
                )
            prefix = rng.choice(targets, count)
            op = np.zeros(count, dtype=np.int64)
            hours = p.start_hour[victim] + rng.random(count) * 10
            network = np.full(count, p.network[victim])
            country = np.full(count, p.country[victim])
            tool = np.full(count, p.tool[victim])
            mb = usual_mb * rng.lognormal(0, 0.3, count)
        total = len(prefix)
        return {
            "who": np.full(total, victim),
            "hours": hours,
            "network": network,
            "country": country,
            "tool": tool,
            "prefix": prefix,
            "op": op,
            "bytes": (mb * MB).astype(np.int64),
            "obj": rng.integers(0, self.vocab.objects, total),
        }

    def _table(self, when: date, c: dict[str, np.ndarray]) -> pa.Table:
        v = self.vocab
        base = np.datetime64(datetime(when.year, when.month, when.day), "us")
        micros = (np.clip(c["hours"], 0, 23.9999) * 3_600_000_000).astype("int64")
        order = np.argsort(micros, kind="stable")
        c = {k: arr[order] for k, arr in c.items()}
        micros = micros[order]
        times = pa.array(base + micros.astype("timedelta64[us]"), pa.timestamp("us", tz="UTC"))

        def coded(indices: np.ndarray, values: list[str] | pa.Array) -> pa.DictionaryArray:
            dictionary = values if isinstance(values, pa.Array) else pa.array(values)
            return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32)), dictionary)

        ops = np.array(OPERATIONS)
        activity = [ACTIVITY[o] for o in OPERATIONS]
        key_index = c["prefix"] * v.objects + c["obj"]
        rows = pc.cast(pa.array(np.arange(len(micros))), pa.string())
        uids = pc.binary_join_element_wise(f"sim-{when.isoformat()}-", rows, "")
        return pa.table(
            {
                "time": times,
                "actor_user": coded(c["who"], v.principals),
                "actor_uid": pa.nulls(len(micros), pa.string()),
                "access_key": pa.nulls(len(micros), pa.string()),
                "src_ip": coded(c["network"], v.ips),
                "src_network": coded(c["network"], v.networks),
                "src_country": coded(c["country"], v.countries),
                "user_agent": coded(c["tool"], v.tools),
                "api_operation": coded(c["op"], list(ops)),
                "activity": coded(c["op"], activity),
                "resource_bucket": coded(c["prefix"], v.buckets),
                "resource_key": coded(key_index, v.keys),
                "bytes": pa.array(c["bytes"], pa.int64()),
                "status": pa.array(np.full(len(micros), "success")),
                "asset_id": pa.array(c["prefix"].astype(np.int64)),
                "asset_name": coded(c["prefix"], v.prefixes),
                "event_uid": uids,
                "asset_sensitivity": coded(self.prefix_level[c["prefix"]], SENSITIVITY_NAMES),
            }
        )


def write_lake(scenario: Scenario, lake_root: Path) -> Truth:
    """Write the scenario's events as ``lake_root/source=sim/day=.../events.parquet``."""
    simulator = Simulator(scenario)
    lake = Lake(lake_root).ensure()
    for index in range(scenario.days):
        day = (scenario.start + timedelta(days=index)).isoformat()
        lake.part_path("sim", day, "events").unlink(missing_ok=True)  # a scenario replaces a day
        lake.write_part("sim", day, "events", simulator.day(index), as_is=True)
    return simulator.truth
