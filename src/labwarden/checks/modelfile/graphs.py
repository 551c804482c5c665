"""Model graphs and configs: Keras (.h5 and .keras), TensorFlow SavedModel, ONNX and skops.

Everything is read as data: HDF5 attribute text is found in the raw bytes, protobufs are walked at
the wire-format level, and JSON is parsed with the standard library. Keras is never imported.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from typing import Any

from labwarden.checks.modelfile.interface import Blob, ScanContext
from labwarden.checks.modelfile.payloads import scan_text, snippet
from labwarden.core import safejson
from labwarden.core.values import Severity

_KERAS_LAYERS = frozenset(
    [
        "InputLayer",
        "Input",
        "Dense",
        "Activation",
        "Dropout",
        "Flatten",
        "Reshape",
        "Permute",
        "RepeatVector",
        "Embedding",
        "Masking",
        "Conv1D",
        "Conv2D",
        "Conv3D",
        "Conv1DTranspose",
        "Conv2DTranspose",
        "Conv3DTranspose",
        "SeparableConv1D",
        "SeparableConv2D",
        "DepthwiseConv1D",
        "DepthwiseConv2D",
        "MaxPooling1D",
        "MaxPooling2D",
        "MaxPooling3D",
        "AveragePooling1D",
        "AveragePooling2D",
        "AveragePooling3D",
        "GlobalMaxPooling1D",
        "GlobalMaxPooling2D",
        "GlobalMaxPooling3D",
        "GlobalAveragePooling1D",
        "GlobalAveragePooling2D",
        "GlobalAveragePooling3D",
        "LSTM",
        "GRU",
        "SimpleRNN",
        "Bidirectional",
        "TimeDistributed",
        "RNN",
        "LSTMCell",
        "GRUCell",
        "SimpleRNNCell",
        "StackedRNNCells",
        "ConvLSTM1D",
        "ConvLSTM2D",
        "ConvLSTM3D",
        "BatchNormalization",
        "LayerNormalization",
        "GroupNormalization",
        "UnitNormalization",
        "Normalization",
        "Add",
        "Subtract",
        "Multiply",
        "Average",
        "Maximum",
        "Minimum",
        "Concatenate",
        "Dot",
        "ReLU",
        "LeakyReLU",
        "PReLU",
        "ELU",
        "Softmax",
        "ThresholdedReLU",
        "ZeroPadding1D",
        "ZeroPadding2D",
        "ZeroPadding3D",
        "Cropping1D",
        "Cropping2D",
        "Cropping3D",
        "UpSampling1D",
        "UpSampling2D",
        "UpSampling3D",
        "MultiHeadAttention",
        "Attention",
        "AdditiveAttention",
        "GaussianNoise",
        "GaussianDropout",
        "AlphaDropout",
        "SpatialDropout1D",
        "SpatialDropout2D",
        "SpatialDropout3D",
        "ActivityRegularization",
        "Rescaling",
        "Resizing",
        "CenterCrop",
        "RandomFlip",
        "RandomRotation",
        "RandomZoom",
        "RandomCrop",
        "RandomContrast",
        "RandomTranslation",
        "TextVectorization",
        "StringLookup",
        "IntegerLookup",
        "CategoryEncoding",
        "Hashing",
        "Discretization",
        "Identity",
        "Sequential",
        "Functional",
        "Model",
        "TFOpLambda",
        "SlicingOpLambda",
        "EinsumDense",
        "Embedding",
        "Wrapper",
    ]
)
_KERAS_CODE = frozenset({"Lambda"})
_TF_OPS = {
    b"PyFunc": (Severity.CRITICAL, "runs a Python function (tf.py_func) inside the graph"),
    b"PyFuncStateless": (Severity.CRITICAL, "runs a Python function (tf.py_func) inside the graph"),
    b"EagerPyFunc": (Severity.CRITICAL, "runs a Python function (tf.py_function) inside the graph"),
    b"ReadFile": (Severity.HIGH, "reads an arbitrary file when the graph runs"),
    b"WriteFile": (Severity.HIGH, "writes an arbitrary file when the graph runs"),
    b"MatchingFiles": (Severity.MEDIUM, "lists files on the host when the graph runs"),
    b"ImmutableConst": (Severity.MEDIUM, "memory-maps a file named in the graph"),
    b"LoadLibrary": (Severity.CRITICAL, "loads a native library"),
    b"ShellExecute": (Severity.CRITICAL, "runs a shell command"),
    b"DebugIdentityV2": (Severity.MEDIUM, "writes debug dumps to a path named in the graph"),
    b"DecodeProtoV2": (Severity.LOW, "decodes protobufs with a descriptor source from the graph"),
}
_ONNX_DOMAINS = frozenset(
    {
        "",
        "ai.onnx",
        "ai.onnx.ml",
        "ai.onnx.training",
        "ai.onnx.preview.training",
        "com.microsoft",
        "com.microsoft.nchwc",
        "com.microsoft.experimental",
        "com.ms.internal.nhwc",
        "pkg.onnxmltools",
    }
)


# -- Keras ---------------------------------------------------------------------------------------


def scan_hdf5(ctx: ScanContext, blob: Blob) -> None:
    """Keras .h5: find the model_config JSON attribute in the raw bytes and walk its layers."""
    data = blob.data
    pos = data.find(b'{"class_name"')
    seen = 0
    reported: set[str] = set()
    while pos >= 0 and seen < 20:
        seen += 1
        chunk = bytes(data[pos : pos + (16 << 20)])
        try:
            config, _ = safejson.raw_decode(chunk.decode("utf-8", "replace"))
        except (ValueError, RecursionError):
            config = None
        if isinstance(config, dict):
            _keras_config(ctx, blob, config, pos, reported)
            pos = data.find(b'{"class_name"', pos + len(json.dumps(config)) // 2)
        else:
            pos = data.find(b'{"class_name"', pos + 1)


def scan_keras_config(ctx: ScanContext, blob: Blob) -> None:
    """Keras v3 ``config.json`` inside a ``.keras`` zip."""
    try:
        config = safejson.loads(bytes(blob.data))
    except (ValueError, RecursionError) as exc:
        ctx.add(blob, "keras-config", Severity.LOW, f"config.json is not valid JSON: {exc}", "")
        return
    if isinstance(config, dict):
        _keras_config(ctx, blob, config, None, set())


def _layers(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 64:
        return
    if isinstance(node, dict):
        if "class_name" in node and isinstance(node.get("config"), dict | None):
            yield node
        for value in node.values():
            yield from _layers(value, depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _layers(item, depth + 1)


def _keras_config(
    ctx: ScanContext, blob: Blob, config: dict[str, Any], offset: int | None, reported: set[str]
) -> None:
    for layer in _layers(config):
        cls = str(layer.get("class_name"))
        module = str(layer.get("module") or "")
        inner = layer.get("config") or {}
        name = inner.get("name", "") if isinstance(inner, dict) else ""
        if cls in _KERAS_CODE:
            function = inner.get("function") if isinstance(inner, dict) else None
            shown = snippet(json.dumps(function).encode(), 120) if function is not None else ""
            if f"lambda:{name}:{shown}" in reported:
                continue
            reported.add(f"lambda:{name}:{shown}")
            ctx.add(
                blob,
                "keras-lambda",
                Severity.CRITICAL,
                f"Lambda layer {name or '?'} stores Python code that runs when the model is "
                f"loaded or called: {shown}",
                "Load only with safe_mode=True (the default in Keras 3) or rebuild the layer "
                "in reviewed code; never load this file with safe_mode=False.",
                offset=offset,
                evidence={"layer": name, "function": shown},
            )
            continue
        if isinstance(inner, dict):
            for key in ("function", "function_type", "module"):
                value = inner.get(key)
                if isinstance(value, str | list) and key == "function":
                    ctx.add(
                        blob,
                        "keras-lambda",
                        Severity.HIGH,
                        f"layer {name or cls} carries serialized function code",
                        "Review the layer's code before loading.",
                        offset=offset,
                    )
        known = cls in _KERAS_LAYERS and (not module or module.startswith(("keras", "tf_keras")))
        if not known and cls not in reported and cls not in ("Functional", "Sequential", "Model"):
            reported.add(cls)
            ctx.add(
                blob,
                "keras-custom-object",
                Severity.MEDIUM,
                f"layer class {module + '.' if module else ''}{cls} is not a built-in Keras layer; "
                "loading needs custom code registered for it",
                "Make sure the custom object's code comes from a trusted source.",
                offset=offset,
                evidence={"class_name": cls, "module": module},
            )


# -- TensorFlow ----------------------------------------------------------------------------------


def scan_savedmodel(ctx: ScanContext, blob: Blob) -> None:
    """Find dangerous ops among the graph's NodeDef op names (protobuf field 2, a string)."""
    data = bytes(blob.data) if blob.size <= (512 << 20) else blob.data
    try:
        for _ in _fields(bytes(data)):
            pass
    except _ProtoError as exc:
        ctx.add(
            blob,
            "unparseable",
            Severity.HIGH,
            f"the SavedModel protobuf is malformed ({exc}); the file cannot be vouched for",
            "Do not load it: a runtime may read what the scanner cannot. Re-export the model.",
        )
    for op, (severity, why) in _TF_OPS.items():
        needle = b"\x12" + bytes([len(op)]) + op
        at = data.find(needle)
        if at < 0:
            continue
        ctx.add(
            blob,
            "tf-dangerous-op",
            severity,
            f"the graph uses the {op.decode()} op, which {why}",
            "Do not load or serve this SavedModel until the op is reviewed; rebuild the model "
            "without Python or file-system ops.",
            offset=at,
            evidence={"op": op.decode()},
        )


# -- ONNX ----------------------------------------------------------------------------------------


class _ProtoError(Exception):
    pass


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise _ProtoError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(data: bytes) -> Iterator[tuple[int, int, Any]]:
    """(field number, wire type, value) of one protobuf message; values are ints or bytes."""
    pos = 0
    size = len(data)
    while pos < size:
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise _ProtoError("field number 0, which protobuf forbids")
        if wire == 0:
            value, pos = _varint(data, pos)
            yield number, wire, value
        elif wire == 2:
            length, pos = _varint(data, pos)
            if pos + length > size:
                raise _ProtoError("a field runs past the end")
            yield number, wire, data[pos : pos + length]
            pos += length
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
            if pos > size:
                raise _ProtoError("a fixed-size field runs past the end")
        else:
            raise _ProtoError(f"unsupported wire type {wire}")


def protobuf_fields(data: bytes) -> Iterator[tuple[int, int, Any]]:
    """(field number, wire type, value) of one protobuf message; raises ``ValueError`` when the
    bytes are not one."""
    try:
        yield from _fields(data)
    except _ProtoError as exc:
        raise ValueError(str(exc)) from None


def scan_onnx(ctx: ScanContext, blob: Blob) -> None:
    """Custom operator domains and external-data paths that leave the model folder."""
    data = bytes(blob.data) if blob.size <= (2 << 30) else bytes(blob.data[: 2 << 30])
    domains: set[str] = set()
    locations: set[str] = set()
    try:
        _onnx_model(data, domains, locations)
    except _ProtoError as exc:
        ctx.add(
            blob,
            "onnx-malformed",
            Severity.HIGH,
            f"the ONNX protobuf is malformed ({exc}); the file cannot be vouched for",
            "Do not load it: a runtime may read what the scanner cannot. Re-export the model.",
        )
    custom = sorted(d for d in domains if d not in _ONNX_DOMAINS)
    if custom:
        ctx.add(
            blob,
            "onnx-custom-op",
            Severity.MEDIUM,
            f"the model uses custom operator domains {', '.join(custom)}; running it needs a "
            "native custom-op library",
            "Only register custom-op libraries you built from reviewed source.",
            evidence={"domains": custom},
        )
    for location in sorted(locations):
        _onnx_location(ctx, blob, location)


def _onnx_model(data: bytes, domains: set[str], locations: set[str]) -> None:
    for number, wire, value in _fields(data):
        if wire != 2:
            continue
        if number == 8:  # opset_import
            domains.update(
                v.decode("utf-8", "replace") for n, w, v in _fields(value) if n == 1 and w == 2
            )
        elif number == 7:  # graph
            _onnx_graph(value, domains, locations, 0)
        elif number == 25:  # functions
            for n, w, v in _fields(value):
                if n == 7 and w == 2:  # FunctionProto.node
                    _onnx_node(v, domains, locations, 0)


def _onnx_location(ctx: ScanContext, blob: Blob, location: str) -> None:
    norm = posixpath.normpath(location.replace("\\", "/"))
    if norm.startswith(("/", "../")) or norm == ".." or re.match(r"^[A-Za-z]:", norm):
        ctx.add(
            blob,
            "onnx-external-data",
            Severity.HIGH,
            f"external data location {location!r} leaves the model folder; loading reads "
            "an arbitrary file into the model (and can leak it)",
            "Do not load it; external data must live next to the model.",
            evidence={"location": location},
        )


def _onnx_graph(data: bytes, domains: set[str], locations: set[str], depth: int) -> None:
    if depth > 16:
        raise _ProtoError("subgraphs nested too deep")
    for number, wire, value in _fields(data):
        if wire != 2:
            continue
        if number == 1:  # node
            _onnx_node(value, domains, locations, depth)
        elif number in (5, 15):  # initializer, sparse_initializer
            _onnx_tensor(value, locations)


def _onnx_node(data: bytes, domains: set[str], locations: set[str], depth: int) -> None:
    for number, wire, value in _fields(data):
        if number == 7 and wire == 2:
            domains.add(value.decode("utf-8", "replace"))
        elif number == 5 and wire == 2:  # attribute
            for n, w, v in _fields(value):
                if n in (6, 11) and w == 2:  # g, graphs
                    _onnx_graph(v, domains, locations, depth + 1)
                elif n in (5, 10) and w == 2:  # t, tensors
                    _onnx_tensor(v, locations)


def _onnx_tensor(data: bytes, locations: set[str]) -> None:
    for number, wire, value in _fields(data):
        if number == 13 and wire == 2:  # external_data: StringStringEntryProto
            entry = {n: v for n, w, v in _fields(value) if w == 2}
            if entry.get(1) == b"location" and 2 in entry:
                locations.add(entry[2].decode("utf-8", "replace"))


# -- skops ---------------------------------------------------------------------------------------

_SKOPS_TRUSTED = ("builtins", "numpy", "sklearn", "scipy", "collections", "skops")


def scan_skops(ctx: ScanContext, blob: Blob) -> None:
    """skops ``schema.json``: every type it would construct, judged by the import policy."""
    try:
        schema = safejson.loads(bytes(blob.data))
    except (ValueError, RecursionError) as exc:
        ctx.add(blob, "skops-schema", Severity.LOW, f"schema.json is not valid JSON: {exc}", "")
        return
    seen: set[tuple[str, str]] = set()
    stack: list[tuple[Any, int]] = [(schema, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > 200:
            continue
        if isinstance(node, dict):
            _skops_node(ctx, blob, node, seen)
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((item, depth + 1) for item in node)


def _skops_node(
    ctx: ScanContext, blob: Blob, node: dict[str, Any], seen: set[tuple[str, str]]
) -> None:
    module, cls = node.get("__module__"), node.get("__class__")
    if isinstance(module, str) and isinstance(cls, str) and (module, cls) not in seen:
        seen.add((module, cls))
        _skops_type(ctx, blob, module, cls, str(node.get("__loader__", "")))
    content = node.get("content")
    if not (isinstance(content, str) and len(content) >= 16):
        return
    for payload in scan_text(content.encode("utf-8", "replace")):
        if payload.kind == "nested-pickle":
            ctx.add(
                blob,
                "nested-pickle",
                Severity.MEDIUM,
                f"a skops value holds {payload.detail}",
                "Review what reads it.",
            )


def _skops_type(ctx: ScanContext, blob: Blob, module: str, cls: str, loader: str) -> None:
    verdict = ctx.policy.judge(module, cls)
    if verdict.kind == "allow":
        return
    if verdict.kind in ("deny", "chain"):
        ctx.add(
            blob,
            "dangerous-import",
            Severity.CRITICAL,
            f"skops {loader or 'node'} constructs {module}.{cls}, which {verdict.reason}",
            verdict.remediation,
            evidence={"callable": f"{module}.{cls}", "loader": loader},
        )
        return
    if module.split(".", maxsplit=1)[0] in _SKOPS_TRUSTED:
        return
    ctx.add(
        blob,
        "unknown-import",
        Severity.MEDIUM,
        f"skops {loader or 'node'} needs the untrusted type {module}.{cls}; skops.load asks "
        "you to trust it explicitly",
        "Pass it to trusted= only if you know its code; otherwise do not load the file.",
        evidence={"callable": f"{module}.{cls}", "loader": loader},
    )
