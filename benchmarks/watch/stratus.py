"""Which rules catch each Stratus Red Team AWS technique: SigmaHQ's CloudTrail rules, our pack.

The techniques' CloudTrail records are ``tests/data/watch/stratus-aws.json`` (hand-built from
the technique pages, in the shapes CloudTrail logs them: one group of records per technique,
an hour apart). They are ingested like any log, then the 57 SigmaHQ CloudTrail rules and the
bundled pack run separately; a technique counts as caught by a rule when the rule's evidence
holds one of its records.

Run: ``.venv/bin/python -m benchmarks.watch.stratus`` (prints a Markdown table)
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from labwarden.engines.duckdb import connect, create_events_view
from labwarden.store.lake import Lake
from labwarden.watch.detect.run import run_rules
from labwarden.watch.detect.sigma.rules import bundled_rules_dir, load
from labwarden.watch.ingest import ingest
from labwarden.watch.resources import Resolver

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "watch" / "stratus-aws.json"
SIGMAHQ = ROOT.parent / "shared" / "corpora" / "sigma" / "cloud" / "aws" / "cloudtrail"


def techniques() -> dict[str, list[dict[str, object]]]:
    """Technique name -> its CloudTrail records."""
    found: dict[str, list[dict[str, object]]] = json.loads(DATA.read_text())["techniques"]
    return found


def coverage(rule_dirs: list[Path]) -> dict[str, set[str]]:
    """Technique -> titles of the rules (from ``rule_dirs``) whose evidence holds its records."""
    owner: dict[str, str] = {}
    records = []
    for name, items in techniques().items():
        for record in items:
            owner[str(record["eventID"])] = name
            records.append(record)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stratus.json"
        path.write_text(json.dumps({"Records": records}, separators=(",", ":")))
        lake = Lake(Path(tmp) / "lake")
        ingest([path], lake, Resolver.empty())
        con = connect()
        create_events_view(con, lake.root)
        result = run_rules(con, load(rule_dirs).rules)
    caught: dict[str, set[str]] = {name: set() for name in techniques()}
    for detection in result.detections:
        for event in detection.evidence:
            technique = owner.get(str(event["event_uid"]))
            if technique is not None:
                caught[technique].add(detection.rule.title)
    return caught


def main() -> None:
    sigmahq = coverage([SIGMAHQ])
    pack = coverage([bundled_rules_dir()])
    print("| Stratus technique | SigmaHQ CloudTrail rules | labwarden pack |")
    print("|---|---|---|")
    either = only_pack = 0
    for name in techniques():
        left, right = sorted(sigmahq[name]), sorted(pack[name])
        either += bool(left or right)
        only_pack += bool(right and not left)
        print(f"| {name} | {'; '.join(left) or '-'} | {'; '.join(right) or '-'} |")
    total = len(techniques())
    covered = sum(bool(v) for v in sigmahq.values())
    print(
        f"\n{either} of {total} techniques caught; SigmaHQ alone {covered}, "
        f"the pack alone {sum(bool(v) for v in pack.values())}; "
        f"{only_pack} only by the pack."
    )


if __name__ == "__main__":
    main()
