"""Model files written byte by byte for the tracing tests: safetensors, NumPy ``.npy``/``.npz``,
a PyTorch-style checkpoint (zip of a protocol-2 pickle and raw storages, as ``torch.save``
writes it) and GGUF. No framework is imported; nothing here is ever unpickled."""

from __future__ import annotations

import io
import json
import struct
import zipfile

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.generic]
_SAFE_DTYPES = {"float32": "F32", "float16": "F16", "float64": "F64", "int64": "I64"}
_STORAGES = {"float32": "FloatStorage", "float16": "HalfStorage", "int64": "LongStorage"}


def safetensors(tensors: dict[str, Array]) -> bytes:
    """A safetensors file of ``tensors`` (little-endian)."""
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    blobs, offset = [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {
            "dtype": _SAFE_DTYPES[str(array.dtype)],
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def npy(array: Array) -> bytes:
    """A ``.npy`` file (written by NumPy itself, which only writes headers and raw bytes)."""
    sink = io.BytesIO()
    np.save(sink, array, allow_pickle=False)
    return sink.getvalue()


def npz(tensors: dict[str, Array]) -> bytes:
    """An uncompressed ``.npz`` archive."""
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w") as archive:
        for name, array in tensors.items():
            archive.writestr(f"{name}.npy", npy(array))
    return sink.getvalue()


def _text(value: str) -> bytes:
    data = value.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def _pickle(tensors: dict[str, Array]) -> bytes:
    """The opcodes ``torch.save`` writes for a state dict (protocol 2, memoized globals)."""
    out = bytearray(b"\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01(")
    memo = 2
    rebuild = storage = None
    kinds: dict[str, int] = {}
    for key, (name, array) in enumerate(tensors.items()):
        out += _text(name) + b"q" + bytes([memo])
        memo += 1
        if rebuild is None:
            out += b"ctorch._utils\n_rebuild_tensor_v2\nq" + bytes([memo])
            rebuild, memo = memo, memo + 1
        else:
            out += b"h" + bytes([rebuild])
        out += b"(("
        if storage is None:
            out += _text("storage") + b"q" + bytes([memo])
            storage, memo = memo, memo + 1
        else:
            out += b"h" + bytes([storage])
        kind = _STORAGES[str(array.dtype)]
        if kind not in kinds:
            out += f"ctorch\n{kind}\nq".encode() + bytes([memo])
            kinds[kind], memo = memo, memo + 1
        else:
            out += b"h" + bytes([kinds[kind]])
        out += _text(str(key)) + _text("cpu") + b"J" + struct.pack("<i", array.size) + b"tQ"
        out += b"K\x00" + b"(" + b"".join(b"J" + struct.pack("<i", d) for d in array.shape)
        out += b"t)\x89ccollections\nOrderedDict\n)Rtq" + bytes([memo]) + b"R"
        memo += 1
    out += b"u."
    return bytes(out)


def torch_zip(tensors: dict[str, Array], prefix: str = "archive") -> bytes:
    """A checkpoint laid out as ``torch.save`` does: ``data.pkl`` first, then the storages."""
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(f"{prefix}/data.pkl", _pickle(tensors))
        for key, array in enumerate(tensors.values()):
            archive.writestr(f"{prefix}/data/{key}", np.ascontiguousarray(array).tobytes())
        archive.writestr(f"{prefix}/version", "3\n")
    return sink.getvalue()


def _gguf_text(value: str) -> bytes:
    data = value.encode()
    return struct.pack("<Q", len(data)) + data


def gguf(tensors: dict[str, Array]) -> bytes:
    """A GGUF v3 file with F32/F16 tensors (dimensions innermost first, 32-byte aligned)."""
    types = {"float32": 0, "float16": 1}
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), 2)
    head += _gguf_text("general.architecture") + struct.pack("<I", 8) + _gguf_text("llama")
    head += _gguf_text("general.alignment") + struct.pack("<II", 4, 32)
    blobs, offset = [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array).tobytes()
        dims = tuple(reversed(array.shape))
        head += _gguf_text(name) + struct.pack(f"<I{len(dims)}Q", len(dims), *dims)
        head += struct.pack("<IQ", types[str(array.dtype)], offset)
        pad = -len(data) % 32
        blobs.append(data + b"\0" * pad)
        offset += len(data) + pad
    head += b"\0" * (-len(head) % 32)
    return head + b"".join(blobs)
