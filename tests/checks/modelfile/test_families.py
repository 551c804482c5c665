"""Every bypass class of issue #13 as a generated family: hypothesis draws variants (opcode
forms, memo indirection, headers, encodings, codecs, zip flags, names) and each one must be
flagged high or critical, so the class is closed rather than the samples of test_classes.py."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from labwarden.checks.modelfile.graphs import protobuf_fields
from labwarden.checks.modelfile.lists import load_policy
from labwarden.checks.modelfile.pickle_ops import is_pickle
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


@FAMILY
@given(families.resolved_imports())
def test_resolvers_are_judged_as_the_import_they_make(case: tuple[str, bytes]) -> None:
    worst, found = _verdict(*case)
    assert worst is Severity.CRITICAL, (case, found)


def test_numpy_1_ufuncs_through_the_resolver_stay_clean() -> None:
    ufunc = families._call(
        families._g("numpy.core", "_ufunc_reconstruct"), su("numpy"), su("log1p")
    )
    assert scan(b"\x80\x02" + ufunc + b".", "model.pkl") == []
    computed = families._call(
        families._g("numpy.core", "_ufunc_reconstruct"),
        families._call(families._g("builtins", "str"), su("o")),
        su("system"),
    )
    found = scan(b"\x80\x02" + computed + su(families.COMMAND) + b"\x85R.", "model.pkl")
    assert max(f.severity for f in found) is Severity.CRITICAL


def test_raw_weights_that_start_like_a_global_are_not_pickles() -> None:
    # The unpickler decodes GLOBAL names as strict UTF-8 and stops before any import.
    raw = b"cmod\n\xf8\n" + bytes(range(256)) * 4
    assert scan(raw, "vitpose_h_wholebody_data.bin") == []
    assert max(f.severity for f in scan(raw, "model.pkl")) is Severity.HIGH


@FAMILY
@given(families.opaque_loader_inputs())
def test_a_loader_fed_what_no_scanner_can_read_is_high(case: tuple[str, bytes]) -> None:
    worst, found = _verdict(*case)
    assert worst is not None and worst >= Severity.HIGH, (case, found)


def _is_protobuf(data: bytes) -> bool:
    try:
        for _ in protobuf_fields(data):
            pass
    except ValueError:
        return False
    return True


@FAMILY
@given(families.garbage_models())
@example(("model.msgpack", b"\xd8" + bytes(17)))  # one valid msgpack ext filling the file
@example(("model.msgpack", b"\xc4\x0e" + bytes(14)))  # one valid bin value, likewise
def test_a_model_file_nothing_can_read_is_a_finding(case: tuple[str, bytes]) -> None:
    name, data = case
    worst, found = _verdict(name, data)
    walks = is_pickle(data) and name.endswith(families.PICKLE_SUFFIXES)
    if name.endswith((".onnx", ".pb", ".mlmodel")):
        walks = walks or _is_protobuf(data)  # noise that happens to be a valid message
    assert walks or (worst is not None and worst >= Severity.HIGH), (case, found)


_SEGMENT = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)


@FAMILY
@given(st.lists(_SEGMENT, min_size=2, max_size=5), st.integers(1, 4), st.booleans())
def test_user_denylist_patterns_deny_everything_they_cover(
    parts: list[str], keep: int, middle: bool
) -> None:
    keep = min(keep, len(parts) - 1)
    pattern = ".".join(parts[:keep]) + ".*"
    if middle and keep >= 2:
        pattern = ".".join([parts[0], "*", *parts[2:keep]]) + ".*"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "banned.toml"
        path.write_text(f'[banned]\nnames = ["{pattern}"]\nreason = "retired"\n')
        policy = load_policy(denylists=[path])
    verdict = policy.judge(".".join(parts[:-1]), parts[-1])
    assert verdict.kind in ("deny", "chain") and verdict.severity is not None, (pattern, parts)
    assert verdict.severity >= Severity.HIGH
