"""The [pii] table of the workspace policy, and optional NER back ends behind one interface."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from labwarden.checks.interface import CheckContext
from labwarden.checks.pii import PiiCheck
from labwarden.checks.pii.entities import find_entities
from labwarden.checks.pii.interface import Settings
from labwarden.checks.pii.ner import GlinerBackend, SpacyBackend, load_backend
from labwarden.checks.pii.settings import parse_settings, workspace_settings
from labwarden.checks.standalone import inspect_paths
from labwarden.core.errors import PolicyError


def test_policy_sets_regions_and_threshold(tmp_path: Path) -> None:
    (tmp_path / "policy.toml").write_text(
        'version = 1\n[pii]\nregions = ["dk", "SE"]\nmin_confidence = 0.8\n', encoding="utf-8"
    )
    settings = workspace_settings(tmp_path)
    assert settings.regions == ("DK", "SE")
    assert settings.min_confidence == 0.8
    assert workspace_settings(tmp_path / "none") == Settings()
    assert workspace_settings(None) == Settings()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"regions": "DK"}, "two-letter"),
        ({"regions": ["DNK"]}, "two-letter"),
        ({"min_confidence": 2}, "from 0 to 1"),
        ({"colour": 1}, "unknown key"),
        ({"ner": "word2vec:x"}, "unknown back end"),
        ({"ner": "spacy"}, "spacy:MODEL"),
    ],
)
def test_bad_settings_name_the_field(table: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_settings(table, "policy.toml")


def test_a_missing_ner_package_is_a_clear_error() -> None:
    try:
        import spacy  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        with pytest.raises(PolicyError, match="never downloads"):
            load_backend("spacy:da_core_news_sm")
    else:
        with pytest.raises(PolicyError, match="cannot load"):
            load_backend("spacy:/nonexistent/model")


def test_check_reads_the_workspace_policy(tmp_path: Path) -> None:
    workspace = tmp_path / ".labwarden"
    workspace.mkdir()
    (workspace / "policy.toml").write_text("[pii]\nmin_confidence = 0.99\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("Spoke with Maria Jensen today.\n", encoding="utf-8")
    result = inspect_paths([str(tmp_path / "notes.txt")], [PiiCheck()])
    assert [f.rule for f in result.findings] == ["text-person"]
    asset = result.assets[0]
    quiet = list(PiiCheck().run(asset, CheckContext(workspace_root=workspace)))
    assert quiet == []


@dataclass
class _Ent:
    label_: str
    start_char: int
    end_char: int
    text: str


class _Doc:
    def __init__(self, ents: list[_Ent]) -> None:
        self.ents = ents


class _Pipeline:
    """Stands in for a user's spaCy pipeline: labels 'Acme' as ORG wherever it occurs."""

    def __call__(self, text: str) -> _Doc:
        start = text.find("Acme")
        return _Doc([_Ent("ORG", start, start + 4, "Acme")] if start >= 0 else [])


class _Gliner:
    def predict_entities(
        self, text: str, labels: list[str], threshold: float = 0.5
    ) -> Iterator[dict[str, Any]]:
        start = text.find("Zorblax")
        if start >= 0 and "person" in labels:
            yield {"label": "person", "start": start, "end": start + 7, "score": 0.93}


def test_ner_spans_join_the_rule_based_ones() -> None:
    text = "Zorblax Quux works at Acme with Maria Jensen"
    spacy_like = Settings(ner=SpacyBackend(_Pipeline()))
    got = [(s.entity, s.text, s.evidence) for s in find_entities(text, spacy_like)]
    assert ("ORGANIZATION", "Acme", "spacy NER") in got
    assert ("PERSON", "Maria Jensen") in [g[:2] for g in got]
    gliner_like = Settings(ner=GlinerBackend(_Gliner()))
    scored = [(s.entity, s.text, s.confidence) for s in find_entities(text, gliner_like)]
    assert ("PERSON", "Zorblax", 0.93) in scored


def test_cli_region_and_threshold(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from labwarden.cli.app import app

    note = tmp_path / "note.txt"
    note.write_text("see 20 12 34 56 and Maria Jensen\n", encoding="utf-8")
    runner = CliRunner()
    danish = runner.invoke(app, ["inspect", "pii", str(note), "-f", "json", "--region", "DK"])
    assert {f["rule"] for f in json.loads(danish.stdout)} == {"text-phone", "text-person"}
    british = runner.invoke(app, ["inspect", "pii", str(note), "-f", "json", "--region", "GB"])
    assert {f["rule"] for f in json.loads(british.stdout)} == {"text-person"}
    strict = runner.invoke(
        app, ["inspect", "pii", str(note), "-f", "json", "--min-confidence", "0.99"]
    )
    assert json.loads(strict.stdout) == []
    bad = runner.invoke(app, ["inspect", "pii", str(note), "--min-confidence", "3"])
    # main() turns the PolicyError into its message on stderr and exit code 2
    assert isinstance(bad.exception, PolicyError)
    assert bad.exception.exit_code == 2
    assert "min_confidence" in bad.exception.message


def test_default_policy_pii_table_is_the_default_settings() -> None:
    import tomllib

    from labwarden.inventory.policy import default_policy_text

    table = tomllib.loads(default_policy_text())["pii"]
    assert parse_settings(table, "default policy") == Settings()
