"""Format detection picks the right parser for each kind of file, and refuses unknown ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labwarden.core.errors import InputError
from labwarden.watch.parsers.base import LogFile
from labwarden.watch.parsers.registry import FORMATS, detect, get_parser
from tests.conftest import corpora_path
from tests.watch.parsers.test_cloud_json import ACTIVITY, GCP_ENTRY, STORAGE


def _detect(path: Path) -> str:
    return detect(LogFile(path)).name


def test_corpora_detected() -> None:
    trail = next(corpora_path("logs", "cloudtrail-invictus").glob("*.json"))
    assert _detect(trail) == "cloudtrail"
    assert _detect(corpora_path("logs", "s3-server-access", "elastic-fixture.log")) == "s3access"
    assert _detect(corpora_path("logs", "linux", "OpenSSH_2k.log")) == "authlog"


def test_generated_samples_detected(tmp_path: Path) -> None:
    samples = {
        "gcp_audit": json.dumps(GCP_ENTRY),
        "azure_activity": json.dumps({"records": [ACTIVITY]}),
        "azure_storage": json.dumps(STORAGE),
        "jsonl": json.dumps({"ts": 1, "user": "x"}),
        "auditd": "type=SYSCALL msg=audit(1.0:1): syscall=2",
    }
    for expected, text in samples.items():
        path = tmp_path / expected
        path.write_text(text + "\n")
        assert _detect(path) == expected


def test_unknown_and_empty(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello world\n")
    with pytest.raises(InputError, match="unknown log format"):
        detect(LogFile(path))
    path.write_text("")
    with pytest.raises(InputError, match="empty"):
        detect(LogFile(path))
    with pytest.raises(InputError, match="known formats"):
        get_parser("evtx")
    assert "cloudtrail" in FORMATS


def test_format_names_for_the_cli_match_the_registry() -> None:
    from labwarden.watch.parsers.names import FORMAT_NAMES
    from labwarden.watch.parsers.registry import FORMATS

    assert FORMAT_NAMES == FORMATS
