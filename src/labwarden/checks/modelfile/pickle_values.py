"""What the bytes handed to a loader inside a pickle are, computed without running anything.

A pickle can unpickle a second, hidden pickle by calling a loader (``pickle.loads``,
``torch.storage._load_from_bytes``, ``numpy.load``...) on bytes it builds at load time: a bytes
literal, or a string passed through ``_codecs.encode``/``decode`` (latin-1, rot13, base64, hex,
zlib...), ``base64.b64decode``, ``bytes.fromhex``, ``io.BytesIO``. This module evaluates exactly
those pure data transforms over the machine's tokens, with bounded output, so the analyzer can
judge the hidden pickle. Anything else evaluates to ``None``.
"""

from __future__ import annotations

import base64
import binascii
import bz2
import codecs
import lzma
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from labwarden.checks.modelfile.lists import normalize
from labwarden.checks.modelfile.pickle_vm import Call, Ref

MAX_VALUE = 64 << 20
"""Largest value a transform may produce (decompression is cut there)."""
MAX_DEPTH = 16

LOADERS = frozenset(
    {
        "pickle.loads",
        "pickle.load",
        "pickle._loads",
        "pickle._load",
        "pickle.Unpickler",
        "pickle._Unpickler",
        "_pickle.loads",
        "_pickle.load",
        "_pickle.Unpickler",
        "dill.loads",
        "dill.load",
        "dill._dill.loads",
        "dill._dill.load",
        "cloudpickle.loads",
        "cloudpickle.load",
        "joblib.load",
        "joblib.numpy_pickle.load",
        "numpy.load",
        "numpy.loads",
        "numpy.lib.npyio.load",
        "numpy.core.multiarray._unpickle",
        "torch.load",
        "torch.serialization.load",
        "torch.storage._load_from_bytes",
        "torch.serialization._legacy_load",
        "pandas.read_pickle",
        "pandas.io.pickle.read_pickle",
        "shelve.open",
        "copyreg._reconstructor",
    }
)
"""Callables that unpickle (or may unpickle) their first argument."""

RESOLVERS = {
    "numpy.core._ufunc_reconstruct": 2,
    "numpy._core._ufunc_reconstruct": 2,
    "pkgutil.resolve_name": 1,
    "torch._utils._import_dotted_name": 1,
}
"""Callables that import and return the object their arguments name: (module, name) pairs or one
dotted (``a.b:c``) name. NumPy 1 pickles every ufunc through ``_ufunc_reconstruct``; called on
``("os", "system")`` it returns ``os.system``."""


@dataclass(frozen=True, slots=True)
class Raw:
    """A bytes value (BINBYTES, or the result of a transform), as opposed to a text string."""

    data: bytes


Value = str | bytes
"""A computed value: ``str`` for text, ``bytes`` for binary data."""


def qualname(token: object) -> str:
    """The real ``module.name`` an import token resolves to (``""`` for anything else)."""
    if not isinstance(token, Ref):
        return ""
    module, name = normalize(token.module, token.name)
    return f"{module}.{name}"


def value_of(token: object, depth: int = 0) -> Value | None:
    """The text or bytes ``token`` stands for, when it is a literal or a pure transform of one."""
    if depth > MAX_DEPTH:
        return None
    if type(token) is bytes:
        return token.decode("utf-8", "surrogateescape")
    if type(token) is Raw:
        return token.data
    if type(token) is Call and type(token.args) is tuple and token.args:
        transform = _TRANSFORMS.get(qualname(token.func))
        if transform is None:
            return None
        args = [value_of(a, depth + 1) for a in token.args]
        if args[0] is None:
            return None
        try:
            return transform(args)
        except (ValueError, TypeError, LookupError, zlib.error, OSError, EOFError, MemoryError):
            return None
    return None


def bytes_of(token: object) -> bytes | None:
    """The bytes a loader would read from ``token`` (text is read as latin-1, as Python 2
    pickles and ``_codecs.encode(..., 'latin1')`` do)."""
    value = value_of(token)
    if isinstance(value, str):
        try:
            return value.encode("latin-1")
        except UnicodeEncodeError:
            return value.encode("utf-8", "surrogateescape")
    return value


# -- the transforms ----------------------------------------------------------------------------

_TEXT_CODECS = {"latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1", "utf-8", "utf8", "ascii"}
_TEXT_CODECS |= {"cp1252", "raw_unicode_escape", "unicode_escape", "utf-16", "utf-32"}
_STR_CODECS = {"rot13", "rot_13"}
_BYTES_CODECS = {"base64", "base_64", "base64_codec", "hex", "hex_codec", "zlib", "zip"}
_BYTES_CODECS |= {"zlib_codec", "bz2", "bz2_codec", "uu", "uu_codec", "quopri", "quopri_codec"}


def _codec_name(args: list[Value | None]) -> str:
    name = args[1] if len(args) > 1 else "utf-8"
    if not isinstance(name, str):
        raise TypeError("codec name is not text")
    return name.lower().replace(" ", "")


def _encode(args: list[Value | None]) -> Value:
    """``_codecs.encode(obj, encoding)``."""
    value, name = args[0], _codec_name(args)
    if name in _TEXT_CODECS and isinstance(value, str):
        return value.encode(name, "surrogateescape" if name.startswith("utf") else "strict")
    if name in _STR_CODECS and isinstance(value, str):
        return codecs.encode(value, "rot13")
    if name in _BYTES_CODECS and isinstance(value, bytes):
        encoded: object = codecs.encode(value, name)  # type: ignore[call-overload]
        if not isinstance(encoded, bytes):
            raise TypeError("not a bytes codec")
        return _bounded(encoded)
    raise LookupError(name)


def _decode(args: list[Value | None]) -> Value:
    """``_codecs.decode(obj, encoding)``."""
    name = _codec_name(args)
    if name in _STR_CODECS and isinstance(args[0], str):
        return str(codecs.decode(args[0], "rot13"))
    value = _binary(args[0])
    if name in _TEXT_CODECS:
        return value.decode(name, "replace")
    if name in {"zlib", "zip", "zlib_codec"}:
        return _inflate(zlib.decompressobj(), value)
    if name in _BYTES_CODECS:
        decoded = codecs.decode(value, name)
        if not isinstance(decoded, bytes):
            raise TypeError("not a bytes codec")
        return _bounded(decoded)
    raise LookupError(name)


def _binary(value: Value | None) -> bytes:
    if isinstance(value, str):
        return value.encode("latin-1", "replace")
    if value is None:
        raise TypeError("no value")
    return value


def _inflate(decomp: zlib._Decompress, data: bytes) -> bytes:
    return decomp.decompress(data, MAX_VALUE)


def _bounded(value: bytes) -> bytes:
    if len(value) > MAX_VALUE:
        raise ValueError("value too large")
    return value


def _one(func: Callable[[bytes], bytes]) -> Callable[[list[Value | None]], Value]:
    return lambda args: _bounded(func(_binary(args[0])))


_TRANSFORMS: dict[str, Callable[[list[Value | None]], Value]] = {
    "_codecs.encode": _encode,
    "codecs.encode": _encode,
    "_codecs.decode": _decode,
    "codecs.decode": _decode,
    "base64.b64decode": _one(base64.b64decode),
    "base64.urlsafe_b64decode": _one(base64.urlsafe_b64decode),
    "base64.standard_b64decode": _one(base64.standard_b64decode),
    "base64.b32decode": _one(base64.b32decode),
    "base64.b16decode": _one(lambda b: base64.b16decode(b, casefold=True)),
    "base64.b85decode": _one(base64.b85decode),
    "base64.a85decode": _one(base64.a85decode),
    "base64.decodebytes": _one(base64.decodebytes),
    "binascii.a2b_base64": _one(binascii.a2b_base64),
    "binascii.unhexlify": _one(binascii.unhexlify),
    "binascii.a2b_hex": _one(binascii.a2b_hex),
    "builtins.bytes.fromhex": lambda args: bytes.fromhex(_text(args[0])),
    "builtins.bytearray.fromhex": lambda args: bytes.fromhex(_text(args[0])),
    "zlib.decompress": _one(lambda b: _inflate(zlib.decompressobj(), b)),
    "gzip.decompress": _one(lambda b: _inflate(zlib.decompressobj(47), b)),
    "bz2.decompress": _one(lambda b: bz2.BZ2Decompressor().decompress(b, MAX_VALUE)),
    "lzma.decompress": _one(lambda b: lzma.LZMADecompressor().decompress(b, MAX_VALUE)),
    "io.BytesIO": _one(lambda b: b),
    "_io.BytesIO": _one(lambda b: b),
    "builtins.bytes": lambda args: _encode(args) if len(args) > 1 else _binary(args[0]),
    "builtins.bytearray": lambda args: _encode(args) if len(args) > 1 else _binary(args[0]),
    "builtins.memoryview": _one(lambda b: b),
}


def _text(value: Value | None) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if value is None:
        raise TypeError("no value")
    return value
