"""Every Stratus Red Team AWS technique, as CloudTrail logs it, is caught by SigmaHQ's
CloudTrail rules or the bundled pack; the pack's rule ids are unique."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from labwarden.engines.duckdb import connect, create_events_view
from labwarden.store.lake import Lake
from labwarden.watch.detect.run import run_rules
from labwarden.watch.detect.sigma.rules import bundled_rules_dir, load
from labwarden.watch.ingest import ingest
from labwarden.watch.resources import Resolver
from tests.conftest import corpora_path

DATA = Path(__file__).resolve().parents[2] / "data" / "watch" / "stratus-aws.json"


def test_every_technique_is_caught(tmp_path: Path) -> None:
    techniques: dict[str, list[dict[str, object]]] = json.loads(DATA.read_text())["techniques"]
    assert len(techniques) == 50
    owner = {str(r["eventID"]): name for name, records in techniques.items() for r in records}
    path = tmp_path / "stratus.json"
    records = [r for items in techniques.values() for r in items]
    path.write_text(json.dumps({"Records": records}, separators=(",", ":")))
    lake = Lake(tmp_path / "lake")
    assert ingest([path], lake, Resolver.empty()).events == len(records)
    con = connect()
    create_events_view(con, lake.root)
    sigmahq = corpora_path("sigma", "cloud", "aws", "cloudtrail")
    rules = load([sigmahq, bundled_rules_dir()])
    result = run_rules(con, rules.rules)
    assert result.problems == []
    caught: dict[str, set[str]] = {name: set() for name in techniques}
    for detection in result.detections:
        for event in detection.evidence:
            if str(event["event_uid"]) in owner:
                caught[owner[str(event["event_uid"])]].add(detection.rule.title)
    assert [name for name, titles in caught.items() if not titles] == []
    # Correlations group by who acted, not by a field the CloudTrail mapping lacks (which would
    # put every principal in one group).
    for rule in rules.rules:
        if rule.correlation is not None:
            assert "raw.actor_user" not in rule.correlation.episodes


def test_pack_rule_ids_and_names_are_unique() -> None:
    rules = load([bundled_rules_dir()]).rules
    ids = Counter(r.id for r in rules)
    assert [i for i, n in ids.items() if n > 1] == []
