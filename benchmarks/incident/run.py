"""Incident timeline, scope and breach report over a large lake, side by side with plain DuckDB.

A lake of N events (default 10 million: 2,000 principals over 10 days, one part per day) is
generated once through ``store.Lake``; 0.5 % of the events belong to a stolen access key used
from one address. Each measured step runs in its own process so its peak memory (max RSS) is
its own:

* ``timeline``: ``build_timeline`` plus writing every line as Timesketch JSONL;
* ``peer-timeline``: the plain DuckDB query a responder would write for the same events
  (``COPY (SELECT ... WHERE access_key IN ... OR src_ip IN ... ORDER BY time) TO ... JSON``);
* ``scope``: ``build_scope`` (grouped lake query, catalog, personal data of the tables read);
* ``peer-scope``: the plain DuckDB ``GROUP BY asset, object`` over the same events;
* ``report``: scope, timeline and ``build_report`` rendered as HTML.

Both are run for the whole lake and for a two-day window. Usage:
``python -m benchmarks.incident.run [--events N] [--repeat R]``; results go to
``benchmarks/incident/results.json`` and are summarized in ``RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from labwarden.core.events import LAKE_SCHEMA

HERE = Path(__file__).resolve().parent
WORK = HERE.parents[0] / ".work" / "incident"
START = datetime(2026, 3, 1, tzinfo=UTC)
DAYS = 10
PRINCIPALS = 2000
STOLEN_KEY = "AKIABENCHSTOLEN00001"
ATTACKER_IP = "203.0.113.50"
OPERATIONS = ["GetObject", "GetObject", "GetObject", "ListObjectsV2", "PutObject", "HeadObject"]


def _lab(root: Path) -> None:
    """A few real assets (models and a trial table) for the events to name."""
    for index in range(8):
        model = root / "models" / f"model-{index}"
        model.mkdir(parents=True, exist_ok=True)
        (model / "config.json").write_text('{"model_type": "bert"}')
        (model / "model.safetensors").write_bytes((8).to_bytes(8, "little") + b'{"a":{}}')
    trial = root / "data" / "trials" / "CTX-1"
    trial.mkdir(parents=True, exist_ok=True)
    rows = ["USUBJID,AGE,SEX,COUNTRY,BRTHDTC"]
    rows += [
        f"CTX-1-{i:05d},{20 + i % 60},{'FM'[i % 2]},DNK,19{50 + i % 40}-01-01" for i in range(5000)
    ]
    (trial / "dm.csv").write_text("\n".join(rows) + "\n")


def _day(rng: np.random.Generator, day: int, count: int, assets: list[tuple[int, str]]) -> pa.Table:
    base = int((START + timedelta(days=day)).timestamp() * 1_000_000)
    times = np.sort(base + rng.integers(0, 86_400_000_000, count))
    who = rng.integers(0, PRINCIPALS, count)
    stolen = rng.random(count) < 0.005
    users = np.array([f"user-{i:04d}" for i in range(PRINCIPALS)], dtype=object)
    keys = np.array([f"AKIA{i:016d}" for i in range(PRINCIPALS)], dtype=object)
    ips = np.array(
        [f"10.{i // 250}.{i % 250}.{i % 7 + 1}" for i in range(PRINCIPALS)], dtype=object
    )
    actor = users[who]
    key = keys[who]
    key[stolen] = STOLEN_KEY
    ip = ips[who]
    ip[stolen] = ATTACKER_IP
    asset_index = rng.integers(0, len(assets) * 4, count)
    named = asset_index < len(assets)
    ids = np.array([a[0] for a in assets], dtype=np.int64)
    names = np.array([a[1] for a in assets], dtype=object)
    objects = rng.integers(0, 5000, count)
    operations = np.array(OPERATIONS, dtype=object)[rng.integers(0, len(OPERATIONS), count)]
    uri = np.array([f"s3://lab-data/p{o % 50}/obj-{o}" for o in objects], dtype=object)
    columns = {
        "time": pa.array(times, pa.timestamp("us", tz="UTC")),
        "class_uid": pa.array(np.full(count, 6003, dtype=np.int32)),
        "actor_user": pa.array(actor, pa.string()),
        "access_key": pa.array(key, pa.string()),
        "src_ip": pa.array(ip, pa.string()),
        "user_agent": pa.array(np.where(stolen, "aws-cli/2 kali", "Boto3/1.34"), pa.string()),
        "api_operation": pa.array(operations, pa.string()),
        "resource_uri": pa.array(uri, pa.string()),
        "resource_bucket": pa.array(np.full(count, "lab-data", dtype=object), pa.string()),
        "bytes": pa.array(rng.integers(0, 5_000_000, count)),
        "status": pa.array(np.full(count, "success", dtype=object), pa.string()),
        "event_uid": pa.array([f"d{day}-{i}" for i in range(count)], pa.string()),
        "asset_id": pa.array(ids[np.minimum(asset_index, len(assets) - 1)], mask=~named),
        "asset_name": pa.array(
            names[np.minimum(asset_index, len(assets) - 1)], pa.string(), mask=~named
        ),
    }
    return pa.table(
        [columns.get(f.name, pa.nulls(count, f.type)) for f in LAKE_SCHEMA], schema=LAKE_SCHEMA
    )


def prepare(events: int) -> dict[str, Any]:
    """Lab, catalog, lake and the incident (once per size); generation seconds."""
    from labwarden.checks.registry import all_checks
    from labwarden.core.incident import IncidentDraft, Scope
    from labwarden.core.workspace import Workspace
    from labwarden.inventory.policy import workspace_policy
    from labwarden.inventory.scan import run_scan
    from labwarden.inventory.sources.local import LocalSource
    from labwarden.store.catalog import Catalog
    from labwarden.store.lake import Lake

    root = WORK / f"events-{events}"
    workspace = Workspace(root / "ws" / ".labwarden")
    marker = root / "ready.json"
    if marker.exists():
        return dict(json.loads(marker.read_text()))
    start = time.perf_counter()
    _lab(root / "lab")
    workspace.ensure()
    with Catalog.open(workspace) as catalog:
        policy = workspace_policy(workspace.policy_path)
        run_scan(
            catalog,
            LocalSource([str(root / "lab")], exclude=policy.exclude),
            policy,
            checks=all_checks(),
        )
        assets = [(a.id, a.name) for a in catalog.assets.find()]
        whole = catalog.incidents.open(
            IncidentDraft(
                title="whole lake",
                scope=Scope(selectors=[("access_key", STOLEN_KEY), ("source_ip", ATTACKER_IP)]),
            ),
            "bench",
        ).id
        window = catalog.incidents.open(
            IncidentDraft(
                title="two days",
                since=(START + timedelta(days=3)).isoformat(),
                until=(START + timedelta(days=5)).isoformat(),
                scope=Scope(selectors=[("access_key", STOLEN_KEY), ("source_ip", ATTACKER_IP)]),
            ),
            "bench",
        ).id
    rng = np.random.default_rng(7)
    lake = Lake(workspace.lake_path).ensure()
    with lake.writing():
        for day in range(DAYS):
            table = _day(rng, day, events // DAYS, assets)
            date = (START + timedelta(days=day)).date().isoformat()
            lake.write_part("sim", date, f"part-{day}", table)
    lake.close()
    info = {
        "workspace": str(workspace.root),
        "whole": whole,
        "window": window,
        "generate_s": time.perf_counter() - start,
    }
    marker.write_text(json.dumps(info))
    return info


def _peak_mib() -> float:
    """This process's peak resident memory (``VmHWM``: per address space, so unlike
    ``ru_maxrss`` it does not carry over the parent's peak across ``exec``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _duckdb() -> Any:
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    return con


def _peer_where() -> str:
    return f"(access_key IN ('{STOLEN_KEY}') OR src_ip IN ('{ATTACKER_IP}'))"


def child(step: str, workspace: str, incident_id: int, out: str) -> dict[str, Any]:
    """One measured step, in this (child) process."""
    from labwarden.core.workspace import Workspace

    ws = Workspace(Path(workspace))
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = _STEPS[step](ws, incident_id, Path(out))
    return {
        "step": step,
        "wall_s": time.perf_counter() - wall0,
        "cpu_s": time.process_time() - cpu0,
        "max_rss_mib": _peak_mib(),
        **result,
    }


def _timeline(ws: Any, incident_id: int, out: Path) -> dict[str, Any]:
    from labwarden.respond.incident.render import write_jsonl
    from labwarden.respond.incident.timeline import build_timeline
    from labwarden.store.catalog import Catalog

    with Catalog.open(ws) as catalog:
        incident = catalog.incidents.get(incident_id)
        built = build_timeline(catalog, ws, incident)
    with out.open("w") as handle:
        lines = write_jsonl(built.lines(), handle)
    return {"lines": lines}


def _window(ws: Any, incident_id: int) -> str:
    from labwarden.store.catalog import Catalog

    with Catalog.open(ws) as catalog:
        incident = catalog.incidents.get(incident_id)
    bounds = ""
    if incident.since:
        bounds += f" AND time >= '{incident.since}'::TIMESTAMPTZ"
    if incident.until:
        bounds += f" AND time <= '{incident.until}'::TIMESTAMPTZ"
    return bounds


def _peer_timeline(ws: Any, incident_id: int, out: Path) -> dict[str, Any]:
    con = _duckdb()
    glob = str(ws.lake_path / "source=*" / "day=*" / "*.parquet")
    con.execute(
        f"COPY (SELECT time, actor_user, access_key, src_ip, user_agent, api_operation, "
        f"resource_uri, asset_id, asset_name, bytes, status, event_uid FROM "
        f"read_parquet('{glob}', hive_partitioning = true) WHERE {_peer_where()}"
        f"{_window(ws, incident_id)} ORDER BY time, event_uid) TO '{out}' (FORMAT JSON)"
    )
    return {"lines": sum(1 for _ in out.open())}


def _scope(ws: Any, incident_id: int, out: Path) -> dict[str, Any]:
    from labwarden.respond.incident.scope import build_scope
    from labwarden.store.catalog import Catalog

    with Catalog.open(ws) as catalog:
        scope = build_scope(catalog, ws, catalog.incidents.get(incident_id))
    out.write_text(json.dumps(scope.to_dict(), default=str))
    return {
        "objects_read": scope.totals["objects_read"].value,
        "data_subjects": scope.personal.subjects.value,
    }


def _peer_scope(ws: Any, incident_id: int, out: Path) -> dict[str, Any]:
    con = _duckdb()
    glob = str(ws.lake_path / "source=*" / "day=*" / "*.parquet")
    rows = con.execute(
        f"SELECT asset_id, asset_name, resource_uri, api_operation, count(*), sum(bytes), "
        f"min(time), max(time) FROM read_parquet('{glob}', hive_partitioning = true) "
        f"WHERE {_peer_where()}{_window(ws, incident_id)} GROUP BY ALL"
    ).fetchall()
    out.write_text(json.dumps(rows, default=str))
    return {"groups": len(rows)}


def _report(ws: Any, incident_id: int, out: Path) -> dict[str, Any]:
    from labwarden.respond.incident.breach import build_report
    from labwarden.respond.incident.breach_render import to_html
    from labwarden.respond.incident.scope import build_scope
    from labwarden.respond.incident.timeline import build_timeline
    from labwarden.store.catalog import Catalog

    with Catalog.open(ws) as catalog:
        incident = catalog.incidents.get(incident_id)
        scope = build_scope(catalog, ws, incident)
        timeline = build_timeline(catalog, ws, incident)
    out.write_text(to_html(build_report(scope, timeline, actor="bench")))
    return {"html_bytes": out.stat().st_size}


_STEPS = {
    "timeline": _timeline,
    "peer-timeline": _peer_timeline,
    "scope": _scope,
    "peer-scope": _peer_scope,
    "report": _report,
}


def _run(step: str, info: dict[str, Any], which: str) -> dict[str, Any]:
    out = WORK / f"out-{step}-{which}"
    code = (
        "import json, sys; from benchmarks.incident.run import child; "
        "print(json.dumps(child(*sys.argv[1:3], int(sys.argv[3]), sys.argv[4])))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, step, info["workspace"], str(info[which]), str(out)],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE.parents[1],
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Prepare the lake, measure every step (median of ``--repeat``), write results.json."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    info = prepare(args.events)
    results: dict[str, Any] = {"events": args.events, "generate_s": info["generate_s"]}
    for which in ("whole", "window"):
        for step in _STEPS:
            runs = [_run(step, info, which) for _ in range(args.repeat)]
            best = {
                k: statistics.median(r[k] for r in runs) for k in ("wall_s", "cpu_s", "max_rss_mib")
            }
            results[f"{which}/{step}"] = {**runs[0], **best, "runs": len(runs)}
            print(
                f"{which:6} {step:14} {best['wall_s']:7.2f} s wall {best['cpu_s']:7.2f} s cpu "
                f"{best['max_rss_mib']:7.0f} MiB",
                file=sys.stderr,
            )
    (HERE / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
