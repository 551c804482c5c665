"""Every bypass class of issue #13 as a generated family: hypothesis draws variants (opcode
forms, memo indirection, headers, encodings, codecs, zip flags, names) and each one must be
flagged high or critical, so the class is closed rather than the samples of test_classes.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from labwarden.checks.modelfile.lists import load_policy
from labwarden.core.values import Severity

from . import families
from .builders import scan, su

# LABWARDEN_FAMILY_EXAMPLES raises the count for a deeper local search.
FAMILY = settings(
    max_examples=int(os.environ.get("LABWARDEN_FAMILY_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _verdict(name: str, data: bytes) -> tuple[Severity | None, list[tuple[str, str, str]]]:
    found = scan(data, name)
    worst = max((f.severity for f in found), default=None)
    return worst, [(f.rule, f.severity.value, f.message) for f in found]


def _runs_os_system(name: str, data: bytes) -> bool:
    return any(
        f.evidence.get("callable") == "os.system" and f.severity is Severity.CRITICAL
        for f in scan(data, name)
    )


@FAMILY
@given(families.headerless_calls())
def test_headerless_and_memo_forms_of_a_call_are_critical(case: tuple[str, bytes]) -> None:
    worst, found = _verdict(*case)
    assert worst is Severity.CRITICAL, (case, found)


@FAMILY
@given(families.hidden_pickles())
def test_a_hidden_pickle_under_any_encoding_gives_its_verdict(case: tuple[str, bytes]) -> None:
    assert _runs_os_system(*case), (case, _verdict(*case)[1])


@FAMILY
@given(families.compressed_pickles())
def test_compressed_pickles_in_any_codec_chain_are_read(case: tuple[str, bytes]) -> None:
    assert _runs_os_system(*case), (case, _verdict(*case)[1])


@FAMILY
@given(families.flagged_zips())
def test_encryption_flags_over_plain_data_are_read_and_named(case: tuple[str, bytes]) -> None:
    found = scan(case[1], case[0])
    assert any(f.evidence.get("callable") == "os.system" for f in found), case
    assert "encryption-flag-trick" in {f.rule for f in found}


POLICY = load_policy()


@FAMILY
@given(families.wildcard_functions(POLICY.allow_prefix, POLICY.allow_exact))
def test_class_wildcards_admit_no_function_or_reexport(case: tuple[str, bytes]) -> None:
    worst, found = _verdict(*case)
    assert worst is not None and worst >= Severity.HIGH, (case, found)


_LISTED = (Path(__file__).parent / "data" / "real_benign_imports.txt").read_text().splitlines()
REAL_BENIGN_IMPORTS = [line for line in _LISTED if line and not line.startswith("#")]


@pytest.mark.parametrize("qualname", REAL_BENIGN_IMPORTS)
def test_what_real_libraries_write_is_allowed_when_called(qualname: str) -> None:
    module, _, name = qualname.rpartition(".")
    data = b"\x80\x04" + su(module) + su(name) + b"\x93" + b"K\x01\x85R."
    assert scan(data, "model.pkl") == []
