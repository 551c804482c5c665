"""The watch demo step: ingest the lab's access logs, run the rule pack, show the alerts."""

from __future__ import annotations

from pathlib import Path

from labwarden.demo.context import DemoContext, Section
from labwarden.store.atomic import atomic_write
from labwarden.watch import alerting
from labwarden.watch.analytics.engine import AnalyticsConfig
from labwarden.watch.analytics.service import run_analytics
from labwarden.watch.resources import RESOURCES_FILE
from labwarden.watch.service import compile_rules, detect, ingest_paths

LOG_FOLDERS = ("logs/cloudtrail", "logs/s3-access", "logs/registry", "logs/hosts")


def demo_resources(lab_root: Path) -> str:
    """The demo workspace's ``resources.toml``: the lab's buckets onto its catalogued assets."""
    models = lab_root / "models"
    data = lab_root / "data"
    return f"""# Which catalog asset each bucket prefix in the access logs holds (labwarden demo).
[[resource]]
match = "s3://acme-models-prod/docking/"
asset = "{models / "checkpoints" / "docking-run-7"}"
name = "docking checkpoints"
kind = "model"
sensitivity = "restricted"

[[resource]]
match = "s3://acme-models-prod/protein-lm-v3/"
asset = "{models / "protein-lm-v3"}"
kind = "model"
sensitivity = "restricted"

[[resource]]
match = "s3://acme-models-prod/"
name = "acme-models-prod"
kind = "model"
sensitivity = "confidential"

[[resource]]
match = "s3://acme-datasets/assays/hts-screen-2026q3/"
asset = "{data / "assays" / "hts-screen-2026q3"}"
kind = "dataset"
sensitivity = "confidential"

[[resource]]
match = "s3://acme-datasets/trials/CTX-104/linkage/subject-key-map.csv"
name = "CTX-104 subject key map (canary)"
kind = "dataset"
sensitivity = "restricted"
canary = true

[[resource]]
match = "s3://acme-datasets/trials/"
asset = "{data / "trials" / "CTX-104"}"
name = "CTX-104 trial data"
kind = "dataset"
sensitivity = "restricted"

[[resource]]
match = "s3://acme-datasets/"
name = "acme-datasets"
kind = "dataset"
sensitivity = "confidential"

[[network]]
cidr = "198.51.100.0/24"
country = "DK"

[[network]]
cidr = "10.0.0.0/8"
country = "DK"

[[network]]
cidr = "203.0.113.0/24"
country = "US"
"""


def watch_step(context: DemoContext) -> None:
    """Ingest the lab's logs, run the bundled Sigma pack and list the alerts it raised."""
    lab_root = context.lab.root
    resources = context.workspace.root / RESOURCES_FILE
    if not resources.exists():
        atomic_write(resources, demo_resources(lab_root))
    folders = [lab_root / f for f in LOG_FOLDERS if (lab_root / f).exists()]
    ingested = ingest_paths(context.workspace, context.catalog, folders)
    run = detect(context.workspace, context.catalog, compile_rules([]))
    run_analytics(context.workspace, context.catalog, AnalyticsConfig())
    found = context.catalog.alerts.find(limit=15)
    rows = [alerting.alert_row(a, minutes=True, assets=2) for a in found]
    context.sections.append(
        Section(
            f"Alerts from {ingested.events:,} access log events "
            f"({len(run.result.detections)} detections, highest risk first)",
            alerting.ALERT_COLUMNS,
            rows,
        )
    )
    ws = context.workspace_option
    context.next_commands.extend(
        [
            f"labwarden {ws} alerts",
            f"labwarden {ws} alerts show {found[0].id if found else 1}",
            f"labwarden {ws} events --principal svc-weights-sync --since 2026-10-27",
        ]
    )
