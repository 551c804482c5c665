"""The rule data: every rule's own examples, and the loader's errors on bad rule files."""

from __future__ import annotations

import pytest

from labwarden.checks.secrets.catalog import load_catalog
from labwarden.checks.secrets.rules import RULES, RULES_BY_ID
from labwarden.checks.secrets.scanner import scan_text
from labwarden.core.errors import InputError

MATCH = [(r.id, i, r.examples.fmt, text) for r in RULES for i, text in enumerate(r.examples.match)]
REJECT = [(r.id, i, r.examples.fmt, t) for r in RULES for i, t in enumerate(r.examples.reject)]


@pytest.mark.parametrize(("rule", "index", "fmt", "text"), MATCH)
def test_rule_finds_its_examples(rule: str, index: int, fmt: str, text: str) -> None:
    alone = scan_text(text + "\n", fmt, rules=(RULES_BY_ID[rule],), generic=False)
    assert [h.rule.id for h in alone] != [], f"{rule} does not match its example {index}"
    # With every rule, a more specific one may report the same secret; something must.
    assert scan_text(text + "\n", fmt) != []


@pytest.mark.parametrize(("rule", "index", "fmt", "text"), REJECT)
def test_nothing_is_found_in_a_rules_rejects(rule: str, index: int, fmt: str, text: str) -> None:
    found = [(h.rule.id, h.value) for h in scan_text(text + "\n", fmt)]
    assert found == [], f"{rule} reject {index}: found {found}"


def test_every_rule_says_where_it_comes_from_and_what_it_rejects() -> None:
    for rule in RULES:
        assert rule.provenance, rule.id
        assert rule.family, rule.id
        assert rule.examples.reject, rule.id


def test_catalog_covers_the_families_labs_use() -> None:
    families = {r.family for r in RULES}
    wanted = {
        "slack", "vault", "onepassword", "cloudflare", "flyio", "heroku", "sumologic", "snyk",
        "sonarqube", "sidekiq", "databricks", "anthropic", "model-api", "huggingface", "wandb",
        "mlflow", "kaggle", "ngc", "modal", "replicate", "pinecone", "azure", "gcp", "pgp",
    }  # fmt: skip
    assert wanted <= families


RULE = """
[[rules]]
id = "x"
title = "x"
severity = "high"
pattern = '''(?P<secret>xq_[a-z]{8})'''
prefixes = ["xq_"]
provenance = ["test"]
examples.match = ["xq_abcdefgh"]
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rules]\n", "not valid TOML"),
        (RULE.replace('title = "x"', 'title = "x"\ncolour = "red"'), "unknown fields"),
        (RULE.replace('severity = "high"', 'severity = "dire"'), "unknown severity"),
        (RULE.replace("(?P<secret>xq_[a-z]{8})", "xq_[a-z]{8}"), "no (?P<secret>"),
        (RULE.replace("(?P<secret>xq_[a-z]{8})", "(?P<secret>xq_[a-z"), "does not compile"),
        (RULE.replace('prefixes = ["xq_"]', 'keywords = ["XQ"]'), "lower case"),
        (RULE.replace('prefixes = ["xq_"]', ""), "either prefixes or keywords"),
        (RULE.replace('examples.match = ["xq_abcdefgh"]', ""), "examples that must match"),
        (RULE + 'validator = "nope"\n', "no validator named"),
        (RULE + RULE, "used twice"),
    ],
)
def test_bad_rule_files_are_named_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace("?", r"\?")):
        load_catalog([("bad.toml", text)])


def test_a_good_rule_file_loads() -> None:
    [rule] = load_catalog([("good.toml", RULE)])
    assert rule.scope == "text"
    assert rule.family == "x"
