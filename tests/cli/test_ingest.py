"""``ingest`` of a relative path stores where the events came from as an absolute path."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from tests.cli.lab import run
from tests.conftest import corpora_path


def test_origin_file_is_absolute_whatever_folder_ingest_ran_in(tmp_path: Path) -> None:
    logs = tmp_path / "project" / "logs"
    logs.mkdir(parents=True)
    source = corpora_path("logs", "cloudtrail-invictus")
    first = sorted(p for p in source.iterdir() if p.suffix == ".json")[0]
    shutil.copy(first, logs / first.name)
    ws = str(tmp_path / "ws")
    ingested = run("-w", ws, "ingest", "logs", cwd=tmp_path / "project")
    assert ingested.returncode == 0, ingested.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    events = run("-w", ws, "events", "--format", "json", cwd=elsewhere)
    assert events.returncode == 0, events.stderr
    origins = {e["origin_file"] for e in json.loads(events.stdout)}
    assert origins == {str(logs / first.name)}
    assert all(os.path.isabs(o) and Path(o).is_file() for o in origins)
