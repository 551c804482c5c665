"""One test per bypass class of issue #13: every variant is flagged high or critical."""

from __future__ import annotations

import pytest

from labwarden.core.values import Severity

from . import classes
from .builders import scan, worst

CMD = "touch /tmp/labwarden-marker"


@pytest.mark.parametrize(("name", "data"), sorted(classes.headerless(CMD).items()))
def test_pickles_without_a_header_are_analyzed(name: str, data: bytes) -> None:
    found = scan(data, name)
    assert worst(found) is Severity.CRITICAL, [f.message for f in found]
    assert any(f.evidence.get("callable") == "os.system" for f in found)


@pytest.mark.parametrize(("name", "data"), sorted(classes.unparseable().items()))
def test_unparseable_model_files_are_findings(name: str, data: bytes) -> None:
    found = scan(data, name)
    assert worst(found) is not None and worst(found) >= Severity.HIGH, [f.message for f in found]


@pytest.mark.parametrize("name", ["notes.txt", "image.png", "weights.bin", "tokenizer.model"])
def test_garbage_outside_a_pickle_position_is_not_a_pickle(name: str) -> None:
    assert scan(bytes(range(256)) * 4, name) == []
