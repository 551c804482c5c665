"""Hypothesis strategies that generate every variant of a bypass class of issue #13, so a test
closes the family rather than the sample. Files are built opcode by opcode or with
zipfile/struct/the standard codecs, never pickled from live objects and never loaded.

Each strategy draws ``(file name, bytes)``; every malicious file would run a command when read by
``pickle.load``, ``torch.load(weights_only=False)`` or ``joblib.load``.
"""

from __future__ import annotations

import base64
import binascii
import bz2
import codecs
import gzip
import io
import lzma
import struct
import zipfile
import zlib
from collections.abc import Callable

from hypothesis import strategies as st

from .builders import su
from .classes import lz4_frame

COMMAND = "touch /tmp/labwarden-marker"
# Callables that run their single string argument as code or a command.
RUNNERS = [
    ("os", "system"), ("posix", "system"), ("nt", "system"), ("os", "popen"),
    ("subprocess", "getoutput"), ("subprocess", "getstatusoutput"), ("builtins", "eval"),
    ("builtins", "exec"), ("__builtin__", "eval"), ("pty", "spawn"), ("commands", "getoutput"),
    ("os", "execlp"),
]  # fmt: skip
# Names that only pickles use and names other formats share (raw weights, SentencePiece).
PICKLE_NAMES = [
    "model.pkl", "model.pickle", "pytorch_model.bin", "model.pt", "model.pth", "last.ckpt",
    "model.joblib", "model.dill", "weights.data", "model.sav", "model.p", "spm.model",
    "data.pkl.z",
]  # fmt: skip


def text_op(value: str, kind: int) -> bytes:
    """``value`` pushed as a str by one of the seven string opcodes a STACK_GLOBAL accepts."""
    raw = value.encode()
    forms = [
        lambda: su(value),
        lambda: b"X" + struct.pack("<I", len(raw)) + raw,
        lambda: b"\x8d" + struct.pack("<Q", len(raw)) + raw,
        lambda: b"V" + raw + b"\n",
        lambda: b"S'" + raw + b"'\n",
        lambda: b"U" + bytes([len(raw)]) + raw,
        lambda: b"T" + struct.pack("<I", len(raw)) + raw,
    ]
    return forms[kind % len(forms)]()


def memoized(push: bytes, slot: int, kind: int) -> bytes:
    """``push`` stored in memo ``slot`` by PUT/BINPUT/LONG_BINPUT, popped, fetched back by the
    matching GET (MEMOIZE uses the next free slot, so it is paired with ``slot`` 0 only)."""
    stores = [
        (f"p{slot}\n".encode(), f"g{slot}\n".encode()),
        (b"q" + bytes([slot]), b"h" + bytes([slot])),
        (b"r" + struct.pack("<I", slot), b"j" + struct.pack("<I", slot)),
    ]
    put, get = stores[kind % len(stores)]
    return push + put + b"0" + get


# Stack-neutral opcode runs an attacker may put first: the unpickler needs no PROTO header.
NEUTRAL = [
    b"N0", b"K\x070", b"}0", b"]0", b")0", b"(1", b"I5\n0", b"\x88\x8900", b"\x8c\x01a0",
    b"Vx\n0", b"S'x'\n0", b"\x80\x02", b"\x80\x05", b"F1.5\n0", b"C\x01z0", b"(\x8c\x01a1",
    b"\x8a\x01\x050", b"G" + bytes(8) + b"0",
]  # fmt: skip


@st.composite
def headerless_calls(draw: st.DrawFn) -> tuple[str, bytes]:
    """Class 1: a runner imported by GLOBAL, STACK_GLOBAL (strings in any form, through the
    memo or not), INST or OBJ, called by REDUCE, INST or OBJ, after any neutral opcodes and with
    or without a PROTO header."""
    module, name = draw(st.sampled_from(RUNNERS))
    prefix = b"".join(draw(st.lists(st.sampled_from(NEUTRAL), max_size=4)))
    header = draw(st.sampled_from([b"", b"", b"\x80\x02", b"\x80\x04", b"\x80\x05"]))
    arg = text_op(COMMAND, draw(st.integers(0, 4)))
    how = draw(st.sampled_from(["global", "stack_global", "inst", "obj"]))
    if how == "inst":
        body = b"(" + arg + f"i{module}\n{name}\n".encode()
    else:
        if how == "global":
            func = f"c{module}\n{name}\n".encode()
        else:
            mod_op = text_op(module, draw(st.integers(0, 6)))
            name_op = text_op(name, draw(st.integers(0, 6)))
            if draw(st.booleans()):
                mod_op = memoized(mod_op, draw(st.integers(0, 200)), draw(st.integers(0, 2)))
            func = mod_op + name_op + b"\x93"
        if draw(st.booleans()):
            func = memoized(func, draw(st.integers(0, 200)), draw(st.integers(0, 2)))
        if how == "obj":
            body = b"(" + func + arg + b"o"
        else:
            args = draw(st.sampled_from([arg + b"\x85", b"(" + arg + b"t"]))
            body = func + args + b"R"
    tail = draw(st.sampled_from([b".", b"0N.", b"\x94."]))
    return draw(st.sampled_from(PICKLE_NAMES)), header + prefix + body + tail


def _g(module: str, name: str) -> bytes:
    return su(module) + su(name) + b"\x93"


def _call(func: bytes, *args: bytes) -> bytes:
    return func + b"(" + b"".join(args) + b"tR"


def _bytes(value: bytes) -> bytes:
    return b"B" + struct.pack("<I", len(value)) + value


def _str(value: str) -> bytes:
    raw = value.encode("utf-8", "surrogatepass")
    return b"X" + struct.pack("<I", len(raw)) + raw


class _Expr(bytes):
    """Pickle bytes that are already an expression (not a literal to wrap)."""


def _lit(value: bytes | str) -> bytes:
    """A literal for ``value``; an expression passes through unwrapped."""
    if isinstance(value, _Expr):
        return bytes(value)
    return _bytes(value) if isinstance(value, bytes) else _str(value)


def _codec(func: str, codec: str) -> Callable[[bytes | str], bytes]:
    return lambda v: _call(_g("_codecs", func), _lit(v), su(codec))


def _fn(module: str, name: str) -> Callable[[bytes | str], bytes]:
    return lambda v: _call(_g(module, name), _lit(v))


# One encoding layer: (encode the bytes, the pickle expression that decodes the encoded form).
LAYERS: dict[str, tuple[Callable[[bytes], bytes | str], Callable[[bytes | str], bytes]]] = {
    "b64": (lambda b: base64.b64encode(b).decode(), _fn("base64", "b64decode")),
    "b64_codecs": (lambda b: base64.b64encode(b).decode(), _codec("decode", "base64")),
    "b64_urlsafe": (base64.urlsafe_b64encode, _fn("base64", "urlsafe_b64decode")),
    "b32": (lambda b: base64.b32encode(b).decode(), _fn("base64", "b32decode")),
    "b85": (base64.b85encode, _fn("base64", "b85decode")),
    "a85": (base64.a85encode, _fn("base64", "a85decode")),
    "a2b_base64": (base64.b64encode, _fn("binascii", "a2b_base64")),
    "hex_fromhex": (lambda b: b.hex(), _fn("builtins", "bytes.fromhex")),
    "hex_unhexlify": (binascii.hexlify, _fn("binascii", "unhexlify")),
    "hex_codecs": (lambda b: b.hex(), _codec("decode", "hex")),
    "zlib": (zlib.compress, _fn("zlib", "decompress")),
    "zlib_codecs": (zlib.compress, _codec("decode", "zlib")),
    "gzip": (lambda b: gzip.compress(b, mtime=0), _fn("gzip", "decompress")),
    "bz2": (bz2.compress, _fn("bz2", "decompress")),
    "lzma": (lzma.compress, _fn("lzma", "decompress")),
    "latin1": (lambda b: b.decode("latin-1"), _codec("encode", "latin1")),
    "rot13": (
        lambda b: codecs.encode(b.decode("latin-1"), "rot13"),
        lambda v: _call(_g("_codecs", "encode"), _codec("encode", "rot13")(v), su("latin1")),
    ),
    "bytearray": (lambda b: b, _fn("builtins", "bytearray")),
}


STR_ONLY = frozenset({"latin1", "rot13", "hex_fromhex"})


def _loader_call(loader: str, data: bytes) -> bytes:
    """``loader`` applied to the pickle expression ``data`` the way that loader takes it."""
    module, _, name = loader.rpartition(".")
    if loader.endswith(("loads", "_load_from_bytes")):
        return _call(_g(module, name), data)
    stream = _call(_g("io", "BytesIO"), data)
    extra = b"N\x88" if loader == "numpy.load" else b""
    return _call(_g(module, name), stream, extra)


LOADER_NAMES = [
    "pickle.loads", "_pickle.loads", "pickle._loads", "dill.loads", "cloudpickle.loads",
    "torch.storage._load_from_bytes", "torch.load", "torch.serialization.load", "numpy.load",
    "joblib.load", "pandas.read_pickle", "pickle.load", "_pickle.load",
]  # fmt: skip


@st.composite
def hidden_pickles(draw: st.DrawFn) -> tuple[str, bytes]:
    """Class 3: a loader fed a hidden ``os.system`` pickle through up to three encoding layers."""
    inner = b"\x80\x04" + _g("os", "system") + su(COMMAND) + b"\x85R."
    # A decoder's output is bytes, so only the outermost layer may need a str (latin-1, rot13,
    # bytes.fromhex), exactly as the unpickler would evaluate it.
    layers = draw(st.lists(st.sampled_from(sorted(set(LAYERS) - STR_ONLY)), max_size=2))
    layers += draw(st.lists(st.sampled_from(sorted(LAYERS)), max_size=1))
    value: bytes | str = inner
    for layer in layers:
        encode, _ = LAYERS[layer]
        value = encode(value if isinstance(value, bytes) else value.encode("latin-1"))
    expr = _lit(value)
    for layer in reversed(layers):
        _, decode = LAYERS[layer]
        expr = decode(_Expr(expr))
    loader = draw(st.sampled_from(LOADER_NAMES))
    return draw(st.sampled_from(PICKLE_NAMES)), b"\x80\x04" + _loader_call(loader, expr) + b"."


def zip_of(members: dict[str, bytes], method: int) -> bytes:
    """A zip of ``members`` compressed with ``method``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def payload(command: str = COMMAND) -> bytes:
    """``os.system(command)`` as a protocol 4 pickle."""
    return b"\x80\x04" + _g("os", "system") + su(command) + b"\x85R."


CODECS: dict[str, Callable[[bytes], bytes]] = {
    "zlib": zlib.compress,
    "gzip": lambda b: gzip.compress(b, mtime=0),
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "lzma": lambda b: lzma.compress(b, format=lzma.FORMAT_ALONE),
    "lz4": lz4_frame,
    "lz4_raw": lambda b: lz4_frame(b, compressed=False),
    "zf": lambda b: b"ZF" + hex(len(b)).encode().ljust(19) + zlib.compress(b),
}


@st.composite
def compressed_pickles(draw: st.DrawFn) -> tuple[str, bytes]:
    """Class 5: a payload pickle (plain or after joblib-style array bytes) compressed by one or
    two of the codecs joblib reads, under any pickle name."""
    body = payload()
    if draw(st.booleans()):
        body = b"\x80\x04N0" + body[2:]
    data = body
    for codec in draw(st.lists(st.sampled_from(sorted(CODECS)), min_size=1, max_size=2)):
        data = CODECS[codec](data)
    name = draw(st.sampled_from(["model.joblib", "model.pkl", "model.pkl.gz", "m.pkl.z", "m.dat"]))
    return ("model.joblib" if name == "m.dat" else name), data


@st.composite
def flagged_zips(draw: st.DrawFn) -> tuple[str, bytes]:
    """Class 6: a torch zip whose members carry the encryption flag (local header, central
    directory or both, on any subset of members) over plain data."""
    method = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    folder = draw(st.sampled_from(["archive", "model", "x" * 40, "a/b"]))
    members = {f"{folder}/data.pkl": payload(), f"{folder}/version": b"3\n"}
    members[f"{folder}/byteorder"] = b"little"
    raw = bytearray(zip_of(members, method))
    flagged = False
    offsets = [
        i for i in range(len(raw) - 3) if bytes(raw[i : i + 4]) in (b"PK\x03\x04", b"PK\x01\x02")
    ]
    for offset in offsets:
        if not draw(st.booleans()):
            continue
        where = offset + (6 if raw[offset + 2] == 3 else 8)
        struct.pack_into("<H", raw, where, raw[where] | 1)
        flagged = True
    if not flagged:
        struct.pack_into("<H", raw, 6, raw[6] | 1)
    name = draw(st.sampled_from(["model.pt", "model.pth", "pytorch_model.bin", "x.ckpt"]))
    return name, bytes(raw)


_IDENT = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)


@st.composite
def wildcard_functions(draw: st.DrawFn, prefixes: list[str], exact: set[str]) -> tuple[str, bytes]:
    """Class 4: a function (lower-case name) or a re-exported dangerous object reached under a
    namespace that a class wildcard admits, invoked with a command."""
    prefix = draw(st.sampled_from(sorted(prefixes)))
    module = ".".join([prefix, *draw(st.lists(_IDENT.map(lambda s: "_" + s), max_size=2))])
    name = draw(st.one_of(_IDENT, _IDENT.map(lambda s: "_" + s), st.sampled_from(REEXPORTED)))
    if f"{module}.{name}" in exact:
        name = "run_" + name
    body = _call(_g(module, name), su(COMMAND))
    return draw(st.sampled_from(PICKLE_NAMES)), b"\x80\x04" + body + b"."


REEXPORTED = [
    "partial", "ModuleType", "FunctionType", "CodeType", "methodcaller", "attrgetter", "Popen",
    "import_module", "CDLL", "Unpickler", "system", "check_output", "run_path",
]  # fmt: skip


RESOLVER_FORMS: dict[str, Callable[[str, str], tuple[bytes, ...]]] = {
    "numpy.core._ufunc_reconstruct": lambda m, n: (su(m), su(n)),
    "numpy._core._ufunc_reconstruct": lambda m, n: (su(m), su(n)),
    "pkgutil.resolve_name": lambda m, n: (su(f"{m}:{n}"),),
    "torch._utils._import_dotted_name": lambda m, n: (su(f"{m}.{n}"),),
}


@st.composite
def resolved_imports(draw: st.DrawFn) -> tuple[str, bytes]:
    """A runner reached through a resolver (a callable that imports what its arguments name)
    rather than GLOBAL, then called with a command."""
    module, name = draw(st.sampled_from(RUNNERS))
    resolver = draw(st.sampled_from(sorted(RESOLVER_FORMS)))
    args = RESOLVER_FORMS[resolver](module, name)
    func = _call(_g(*resolver.rsplit(".", 1)), *args)
    body = func + su(COMMAND) + b"\x85R"
    return draw(st.sampled_from(PICKLE_NAMES)), b"\x80\x04" + body + b"."


_INNER_INTS = b"](" + b"".join(b"K" + bytes([c]) for c in payload()) + b"e"
OPAQUE_INPUTS = {
    "bytes_of_list": _call(_g("builtins", "bytes"), _INNER_INTS),
    "bytearray_of_list": _call(_g("builtins", "bytearray"), _INNER_INTS),
    "unknown_call": _call(_g("mylab.codec", "unpack"), su("payload")),
    "memoized_list": _INNER_INTS + b"\x94" + b"0" + b"h\x00",
}


@st.composite
def opaque_loader_inputs(draw: st.DrawFn) -> tuple[str, bytes]:
    """Class 3, the other half: a loader (allowlisted or not) fed bytes the pickle computes in a
    way no scanner evaluates, or called with a computed argument tuple."""
    loader = draw(st.sampled_from(LOADER_NAMES))
    module, _, name = loader.rpartition(".")
    data = OPAQUE_INPUTS[draw(st.sampled_from(sorted(OPAQUE_INPUTS)))]
    if draw(st.booleans()):
        body = _loader_call(loader, data)
    else:  # the argument tuple itself is computed: tuple(list)
        body = _g(module, name) + _call(_g("builtins", "tuple"), b"](" + data + b"e") + b"R"
    return draw(st.sampled_from(PICKLE_NAMES)), b"\x80\x04" + body + b"."


MODEL_NAMES = [
    "model.pkl", "model.pickle", "model.pt", "model.pth", "model.ckpt", "model.joblib",
    "model.dill", "model.safetensors", "model.gguf", "model.onnx", "model.h5", "model.keras",
    "model.npy", "model.npz", "model.tflite", "model.msgpack", "model.mlmodel", "model.skops",
    "model.pb", "model.nemo", "model.mar", "model.pt2",
]  # fmt: skip


PICKLE_SUFFIXES = (".pkl", ".pickle", ".pt", ".pth", ".ckpt", ".joblib", ".dill")


@st.composite
def garbage_models(draw: st.DrawFn) -> tuple[str, bytes]:
    """Class 2: bytes no parser reads, under a name that says model: random noise, or a valid
    file of one format truncated or with its body overwritten."""
    noise = draw(st.binary(min_size=16, max_size=1024))
    return draw(st.sampled_from(MODEL_NAMES)), noise
