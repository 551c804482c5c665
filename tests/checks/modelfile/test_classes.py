"""One test per bypass class of issue #13: every variant is flagged high or critical."""

from __future__ import annotations

import pytest

from labwarden.core.values import Severity

from . import classes
from .builders import scan, worst

CMD = "touch /tmp/labwarden-marker"


def _id(value: object) -> str:
    """Test ids are the file names, not the bytes."""
    return value if isinstance(value, str) else "-"


@pytest.mark.parametrize(("name", "data"), sorted(classes.headerless(CMD).items()), ids=_id)
def test_pickles_without_a_header_are_analyzed(name: str, data: bytes) -> None:
    found = scan(data, name)
    assert worst(found) is Severity.CRITICAL, [f.message for f in found]
    assert any(f.evidence.get("callable") == "os.system" for f in found)


@pytest.mark.parametrize(("name", "data"), sorted(classes.unparseable().items()), ids=_id)
def test_unparseable_model_files_are_findings(name: str, data: bytes) -> None:
    found = scan(data, name)
    assert worst(found) is not None and worst(found) >= Severity.HIGH, [f.message for f in found]


@pytest.mark.parametrize("name", ["notes.txt", "image.png", "weights.bin", "tokenizer.model"])
def test_garbage_outside_a_pickle_position_is_not_a_pickle(name: str) -> None:
    assert scan(bytes(range(256)) * 4, name) == []


FAMILIES = {
    "loaders": classes.nested_loaders(CMD),
    "wildcards": classes.wildcard_admitted(CMD),
    "invoked": classes.unknown_invoked(CMD),
}


@pytest.mark.parametrize(
    ("name", "data"),
    [(name, data) for family in FAMILIES.values() for name, data in sorted(family.items())],
    ids=_id,
)
def test_every_variant_is_high_or_critical(name: str, data: bytes) -> None:
    found = scan(data, name)
    assert worst(found) is not None and worst(found) >= Severity.HIGH, [
        (f.rule, f.severity.value, f.message) for f in found
    ]


@pytest.mark.parametrize(("name", "data"), sorted(classes.nested_loaders(CMD).items()), ids=_id)
def test_a_hidden_pickle_gives_the_file_its_own_verdict(name: str, data: bytes) -> None:
    found = scan(data, name)
    inner = [f for f in found if f.evidence.get("callable") == "os.system"]
    assert inner and all(f.severity is Severity.CRITICAL for f in inner), name
    assert all(f.location.member for f in inner)


@pytest.mark.parametrize(("name", "data"), sorted(classes.wildcard_admitted(CMD).items()), ids=_id)
def test_wildcards_do_not_admit_helpers(name: str, data: bytes) -> None:
    flagged = [f for f in scan(data, name) if f.rule == "dangerous-import"]
    assert flagged and all(f.severity >= Severity.HIGH for f in flagged)


@pytest.mark.parametrize(
    ("name", "data"),
    sorted({**classes.compressed_joblib(CMD), **classes.encryption_flag(CMD)}.items()),
    ids=_id,
)
def test_compressed_and_flagged_payloads_are_found(name: str, data: bytes) -> None:
    found = scan(data, name)
    assert any(f.evidence.get("callable") == "os.system" for f in found), [
        (f.rule, f.message) for f in found
    ]
    if name.startswith("encflag_"):
        assert "encryption-flag-trick" in {f.rule for f in found}


def test_lz4_reader_matches_the_format() -> None:
    from labwarden.checks.modelfile.lz4 import decode_block

    # "abcabcabcabc": 3 literals, then a match of 9 at offset 3 (overlapping copy).
    block = bytes([0x35]) + b"abc" + b"\x03\x00"
    assert decode_block(block, b"", 1 << 20) == b"abc" * 4


@pytest.mark.parametrize(("name", "data"), sorted(classes.bombs(CMD).items()), ids=_id)
def test_bombs_are_reported_once_and_truthfully(name: str, data: bytes) -> None:
    found = scan(data, name)
    bombs = [f for f in found if f.rule == "archive-bomb"]
    assert len(bombs) == 1 and bombs[0].severity is Severity.HIGH, [f.message for f in found]
    assert "bad-crc" not in {f.rule for f in found}


INERT = {
    # Flax: {"params": {"w": <16 bytes>, "b": [1.5, -1]}}
    "flax_model.msgpack": b"\x81\xa6params\x82\xa1w\xc4\x10" + bytes(16)
    + b"\xa1b\x92\xcb" + bytes(8) + b"\xff",
    "model.tflite": b"\x1c\x00\x00\x00TFL3" + bytes(32),
    "model.mlmodel": b"\x08\x04\x12\x06\x0a\x04name",
}  # fmt: skip


@pytest.mark.parametrize(("name", "data"), sorted(INERT.items()), ids=_id)
def test_formats_without_code_are_read_not_guessed(name: str, data: bytes) -> None:
    assert scan(data, name) == []
    broken = b"\xc1" + data if name.endswith(".msgpack") else data[:3] + b"\xff" * 9
    assert worst(scan(broken, name)) is Severity.HIGH


def test_a_cut_bomb_is_not_also_called_truncated() -> None:
    (name, data), *_ = sorted(classes.bombs(CMD).items())
    assert {f.rule for f in scan(data, name)} == {"archive-bomb"}
