"""Untrusted JSON: too deep nesting is a decode error like any other."""

from __future__ import annotations

import json

import pytest

from labwarden.core import safejson


@pytest.mark.parametrize(
    "deep", ["[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000]
)
def test_too_deep_is_a_decode_error(deep: str) -> None:
    with pytest.raises(json.JSONDecodeError, match="nested too deeply"):
        safejson.loads(deep)
    with pytest.raises(json.JSONDecodeError, match="nested too deeply"):
        safejson.loads(deep.encode())
    with pytest.raises(json.JSONDecodeError, match="nested too deeply"):
        safejson.raw_decode(" " + deep, 1)


def test_ordinary_documents_decode_as_json_does() -> None:
    text = '{"a": [1, 2.5, null, "x"], "b": {"c": true}}'
    assert safejson.loads(text) == json.loads(text)
    assert safejson.raw_decode(text + " tail") == (json.loads(text), len(text))
    with pytest.raises(json.JSONDecodeError):
        safejson.loads("{broken")
