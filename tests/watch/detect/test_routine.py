"""Nightly jobs sharing a role raise nothing once their routine is known, from the lake's first
nights (its learning period); first bulk reads and bigger-than-usual ones still alert (the
shared-roles lab, through the whole pipeline)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.watch.analytics.shared_roles import (
    JOB_ROLE,
    RESEARCHER_ROLE,
    RolesScenario,
    write_scenario,
)
from labwarden.watch.detect.routine import HISTORY_DAYS, MIN_DAYS, split_routine
from labwarden.watch.service import DetectRun, compile_rules, detect, ingest_paths

SCENARIO = RolesScenario(days=9, researchers=8, jobs=4, reads_per_day=20, insider=None, slow=None)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DetectRun, set[str]]:
    root = tmp_path_factory.mktemp("roles")
    logs = root / "logs"
    truth = write_scenario(SCENARIO, logs)
    # The last night, one named job reads its dataset three times over: not routine.
    last = logs / f"{date(2026, 9, 9).isoformat()}.json"
    records = json.loads(last.read_text())["Records"]
    job = [r for r in records if r["userIdentity"]["arn"].endswith("/nightly-protein-lm")]
    extra = [
        {
            **r,
            "eventID": f"{r['eventID']}-{k}",
            "requestParameters": {
                **r["requestParameters"],
                "key": f"{r['requestParameters']['key']}.{k}",
            },
        }
        for k in range(2)
        for r in job
    ]
    last.write_text(json.dumps({"Records": records + extra}))
    # On day 7 a new job joins the jobs' role, reading what its peers read: routine for the role.
    seventh = logs / f"{date(2026, 9, 7).isoformat()}.json"
    records = json.loads(seventh.read_text())["Records"]
    joined = [
        {
            **r,
            "eventID": f"{r['eventID']}-new",
            "userIdentity": {
                **r["userIdentity"],
                "arn": r["userIdentity"]["arn"].replace("nightly-dock-v7", "nightly-new"),
            },
        }
        for r in records
        if r["userIdentity"]["arn"].endswith("/nightly-dock-v7")
    ]
    seventh.write_text(json.dumps({"Records": records + joined}))
    workspace = Workspace(root / ".labwarden").ensure()
    with Catalog.open(workspace) as catalog:
        ingest_paths(workspace, catalog, [logs])
        run = detect(workspace, catalog, compile_rules([]))
    return root, run, truth.jobs


def test_nightly_jobs_quiet_from_the_first_night(lab: tuple[Path, DetectRun, set[str]]) -> None:
    _, run, jobs = lab
    assert jobs == {"nightly-protein-lm", "nightly-dock-v7", JOB_ROLE}
    bulk = [d for d in run.result.detections if "Bulk" in d.rule.title]
    nights = sorted({(str(d.group["actor_user"]), d.first_seen.date().day) for d in bulk})
    # Only the night a job read three times its usual alerts.
    assert nights == [("nightly-protein-lm", 9)]
    assert run.routine and all(r.reason.startswith("routine: fired for") for r in run.routine)
    # The jobs' first nights are routine by the lake's learning period (the nights after them),
    # the later ones by the nights before.
    first = {
        str(r.detection.group["actor_user"])
        for r in run.routine
        if r.detection.first_seen.date().day <= MIN_DAYS
    }
    assert first == jobs
    for r in run.routine:
        learning = r.detection.first_seen.date().day <= HISTORY_DAYS
        assert ("learning period" in r.reason) == learning, r.reason


def test_new_session_of_the_role_is_routine(lab: tuple[Path, DetectRun, set[str]]) -> None:
    _, run, _ = lab
    new = [r for r in run.routine if r.detection.group.get("actor_user") == "nightly-new"]
    assert new and all("its role training-job's sessions" in r.reason for r in new)
    reasons = {r.reason.split(" on ")[0] for r in run.routine}
    assert "routine: fired for this principal" in reasons


def _as_session(records: list[dict[str, Any]], job: str, role: str, session: str) -> list[Any]:
    """``job``'s records of a night, made by ``session`` of ``role`` instead."""
    out = []
    for r in records:
        if not r["userIdentity"]["arn"].endswith(f"/{job}"):
            continue
        identity = json.loads(
            json.dumps(r["userIdentity"]).replace(f"/{job}", f"/{session}").replace(JOB_ROLE, role)
        )
        out.append({**r, "eventID": f"{r['eventID']}-{session}", "userIdentity": identity})
    return out


@pytest.fixture(scope="module")
def bulk_researcher(tmp_path_factory: pytest.TempPathFactory) -> DetectRun:
    """Researcher r00 reads in bulk every night; r05, of the same role, once on the last night,
    and r03 once on the second night (inside the lake's learning period)."""
    root = tmp_path_factory.mktemp("researchers")
    logs = root / "logs"
    write_scenario(SCENARIO, logs)
    for path in sorted(logs.glob("*.json")):
        records = json.loads(path.read_text())["Records"]
        extra = _as_session(records, "nightly-dock-v7", RESEARCHER_ROLE, "r00")
        if path.stem == date(2026, 9, 9).isoformat():
            extra += _as_session(records, "nightly-dock-v7", RESEARCHER_ROLE, "r05")
        if path.stem == date(2026, 9, 2).isoformat():
            extra += _as_session(records, "nightly-dock-v7", RESEARCHER_ROLE, "r03")
        path.write_text(json.dumps({"Records": records + extra}))
    workspace = Workspace(root / ".labwarden").ensure()
    with Catalog.open(workspace) as catalog:
        ingest_paths(workspace, catalog, [logs])
        return detect(workspace, catalog, compile_rules([]))


def test_a_few_bulk_readers_make_no_routine_of_their_role(bulk_researcher: DetectRun) -> None:
    run = bulk_researcher
    bulk = [d for d in run.result.detections if "Bulk" in d.rule.title]
    kept = {(str(d.group["actor_user"]), d.first_seen.date().day) for d in bulk}
    # r05's first bulk read alerts although r00, a peer of its role, reads in bulk every night:
    # one of eight researchers does it, the role as a whole does not.
    assert ("r05", 9) in kept
    # r00's own routine is learnt like a job's.
    r00 = [r for r in run.routine if r.detection.group.get("actor_user") == "r00"]
    assert r00 and all("this principal" in r.reason for r in r00)
    # Without who acted through the role, its history alone would have hidden r05.
    detections = run.result.detections + [r.detection for r in run.routine]
    _, routine = split_routine(detections)
    assert any(r.detection.group.get("actor_user") == "r05" for r in routine)


def test_a_first_bulk_read_in_the_learning_period_alerts(bulk_researcher: DetectRun) -> None:
    """The learning period learns what recurs in it: a bulk read that does not recur alerts."""
    bulk = [d for d in bulk_researcher.result.detections if "Bulk" in d.rule.title]
    kept = {(str(d.group["actor_user"]), d.first_seen.date().day) for d in bulk}
    assert ("r03", 2) in kept
    # r00, who reads in bulk every night, is routine from its first night on.
    assert not any(who == "r00" for who, _ in kept)
