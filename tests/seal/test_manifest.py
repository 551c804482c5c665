"""Manifests as in-toto statements: round trips, canonical order, and hostile input."""

from __future__ import annotations

import contextlib
import copy
import hashlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labwarden.seal.errors import SealFormatError
from labwarden.seal.manifest import (
    PREDICATE_TYPE,
    Manifest,
    SealedAsset,
    SealInfo,
    parse_statement,
)
from labwarden.seal.sign import SealOptions, build_manifest


def _statement(model_dir: Path, **options: Any) -> tuple[Manifest, dict[str, Any]]:
    manifest = build_manifest(model_dir, SealOptions(**options))
    manifest.info = SealInfo(
        "2026-11-22T00:00:00+00:00", "tester@host", SealedAsset(3, "/x", "esm", "model", 2)
    )
    return manifest, manifest.to_statement()


@pytest.mark.parametrize("options", [{}, {"algorithm": "blake3"}, {"shard_size": 100}])
def test_statement_round_trip(model_dir: Path, options: dict[str, Any]) -> None:
    manifest, statement = _statement(model_dir, **options)
    parsed = parse_statement(statement, "test")
    assert parsed.root_digest() == manifest.root_digest()
    assert [(f.name, f.size, f.digest, f.shards) for f in parsed.files] == [
        (f.name, f.size, f.digest, f.shards) for f in manifest.files
    ]
    assert parsed.info == manifest.info
    assert [e.path for e in parsed.excluded] == [e.path for e in manifest.excluded]
    assert {f.name: f.tensors for f in parsed.files} == {f.name: f.tensors for f in manifest.files}


def test_resources_follow_model_signing_path_order(tmp_path: Path) -> None:
    # model-signing sorts PurePosixPath objects (by components): "a/b" before "a-c".
    (tmp_path / "m" / "a").mkdir(parents=True)
    (tmp_path / "m" / "a" / "b").write_text("1")
    (tmp_path / "m" / "a-c").write_text("2")
    manifest = build_manifest(tmp_path / "m", SealOptions())
    names = [r["name"] for r in manifest.resources()]
    assert names == ["a/b", "a-c"]
    digest = hashlib.sha256(
        b"".join(bytes.fromhex(r["digest"]) for r in manifest.resources())
    ).hexdigest()
    assert manifest.to_statement()["subject"][0]["digest"]["sha256"] == digest


def test_empty_files_are_listed_in_shard_manifests(model_dir: Path) -> None:
    _, statement = _statement(model_dir, shard_size=64)
    names = {r["name"].rsplit(":", 2)[0] for r in statement["predicate"]["resources"]}
    assert "empty.txt" not in names  # model-signing has no shard for an empty file...
    parsed = parse_statement(statement, "test")
    assert "empty.txt" in {f.name for f in parsed.files}  # ...but our extension lists it


def _edits() -> list[tuple[str, Any]]:
    def drop_resource(s: dict[str, Any]) -> None:
        s["predicate"]["resources"].pop()

    def change_digest(s: dict[str, Any]) -> None:
        s["predicate"]["resources"][0]["digest"] = "0" * 64

    def escape_path(s: dict[str, Any]) -> None:
        s["predicate"]["resources"][0]["name"] = "../etc/passwd"

    def wrong_type(s: dict[str, Any]) -> None:
        s["predicateType"] = "https://example.com/other"

    def unlist_file(s: dict[str, Any]) -> None:
        s["predicate"]["labwarden"]["files"].pop(0)

    def two_subjects(s: dict[str, Any]) -> None:
        s["subject"].append(s["subject"][0])

    return [
        ("truncated or edited", drop_resource),
        ("truncated or edited", change_digest),
        ("clean relative path", escape_path),
        ("predicateType", wrong_type),
        ("does not list", unlist_file),
        ("exactly one subject", two_subjects),
    ]


@pytest.mark.parametrize(("message", "edit"), _edits())
def test_edited_statements_are_rejected(model_dir: Path, message: str, edit: Any) -> None:
    _, statement = _statement(model_dir)
    broken = copy.deepcopy(statement)
    edit(broken)
    with pytest.raises(SealFormatError, match=message):
        parse_statement(broken, "edited.json")


json_leaf = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
json_any = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(json_any)
def test_arbitrary_json_raises_only_format_errors(value: Any) -> None:
    with contextlib.suppress(SealFormatError):
        parse_statement(value, "fuzz")


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_real_statements_never_parse_to_something_else(
    model_dir: Path, data: st.DataObject
) -> None:
    _manifest, statement = _statement(model_dir)
    mutated = copy.deepcopy(statement)
    # Replace one value somewhere in the document with arbitrary JSON.
    node: Any = mutated
    path = []
    while isinstance(node, dict | list) and node:
        keys = list(node.keys()) if isinstance(node, dict) else list(range(len(node)))
        key = data.draw(st.sampled_from(keys))
        path.append(key)
        if data.draw(st.booleans()) or not isinstance(node[key], dict | list):
            node[key] = data.draw(json_any)
            break
        node = node[key]
    try:
        parsed = parse_statement(mutated, "fuzz")
    except SealFormatError:
        return
    # Whatever still parses must still be self-consistent: subject matches the resources.
    assert parsed.root_digest() == mutated["subject"][0]["digest"]["sha256"]
    assert mutated["predicateType"] == PREDICATE_TYPE
