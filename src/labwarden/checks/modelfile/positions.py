"""Which names put a file in a model position: where a loader would deserialize it."""

from __future__ import annotations

from labwarden.checks.modelfile.interface import Blob

PICKLE_EXTENSIONS = (
    ".pkl",
    ".pickle",
    ".joblib",
    ".dill",
    ".pt",
    ".pth",
    ".bin",
    ".ckpt",
    ".p",
    ".data",
    ".sav",
    ".model",
    ".pkl.z",
)
SHARED_EXTENSIONS = (".bin", ".data", ".model", ".p", ".sav")
"""Pickle names that other formats use too (raw weights, SentencePiece models): content there
that is not a pickle from its first opcode is another format, not an unparseable pickle."""
MODEL_EXTENSIONS = (
    ".safetensors",
    ".gguf",
    ".ggml",
    ".onnx",
    ".h5",
    ".hdf5",
    ".keras",
    ".npy",
    ".npz",
    ".pb",
    ".tflite",
    ".msgpack",
    ".mlmodel",
    ".llamafile",
    ".pt2",
    ".ptl",
    ".mar",
    ".nemo",
    ".skops",
)
"""Names of model formats that are not pickles: content that none of our parsers reads is
reported as unparseable."""
TEXT_EXTENSIONS = (".json", ".yaml", ".yml", ".jinja", ".jinja2", ".j2", ".template", ".tmpl")


def base_name(blob: Blob) -> str:
    """The lower-case name without the ``[gzip]`` tag of a decompressed stream."""
    name = blob.name.lower()
    return name.rsplit("[", 1)[0] if name.endswith("]") else name


def in_model_position(blob: Blob) -> bool:
    """Whether a loader would deserialize ``blob`` as a model: its name says so."""
    return base_name(blob).endswith(PICKLE_EXTENSIONS + MODEL_EXTENSIONS) or blob.hint == "pickle"


def pickle_position(blob: Blob) -> str:
    """``strong`` for names only pickles use (``.pkl``, ``.pt``...) or a member a container
    says is a pickle; ``shared`` for pickle names other formats use too (``.bin``,
    ``.model``); else ``""``."""
    name = base_name(blob)
    if blob.hint == "pickle":
        return "strong"
    if name.endswith(SHARED_EXTENSIONS):
        return "shared"
    return "strong" if name.endswith(PICKLE_EXTENSIONS) else ""
