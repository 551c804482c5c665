"""Whether a leaked tensor holds an original tensor's values after a cast or a transpose.

Casting F32 weights to F16 or BF16 (and back) changes every byte but keeps every value within
the target format's rounding error (2^-11 relative for F16, 2^-8 for BF16); exporters that store
matrices transposed (GGUF's dimension order, Keras kernels) keep the values and move them. A
leaked tensor is compared with each original of the same element count: first on a sample of
positions, then on every element, and counted as the original's when at least 99.9% of its
values are within the coarser format's error. Two unrelated tensors of trained or random
weights agree on a sample of 64 values with a vanishing probability.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from labwarden.trace.tensorfile import Tensor

F64 = npt.NDArray[np.float64]
_RELATIVE = {"F16": 2.0**-10, "BF16": 2.0**-7, "F32": 2.0**-20, "F64": 2.0**-40}
_AGREE = 0.999
_SAMPLE = 64
_SAMPLE_AGREE = 0.96


@dataclass(frozen=True, slots=True)
class Original:
    """A tensor of a sealed file still on disk."""

    asset_id: int
    version: int
    file: str
    tensor: Tensor


def values(tensor: Tensor) -> F64 | None:
    """The tensor's values as float64 (``None`` for dtypes that are not floating point)."""
    data = tensor.data
    if tensor.dtype == "BF16":
        half = np.frombuffer(data, dtype="<u2").astype(np.uint32) << np.uint32(16)
        return half.view(np.float32).astype(np.float64)
    kinds = {"F16": "<f2", "F32": "<f4", "F64": "<f8"}
    if tensor.dtype not in kinds:
        return None
    return np.frombuffer(data, dtype=kinds[tensor.dtype]).astype(np.float64)


def _tolerance(a: Tensor, b: Tensor) -> float:
    return max(_RELATIVE.get(a.dtype, 1e-3), _RELATIVE.get(b.dtype, 1e-3))


def _agree(leaked: F64, original: F64, tolerance: float) -> float:
    """The share of positions where the values agree within ``tolerance`` (relative, with an
    absolute floor for values near zero that a narrow format flushes)."""
    scale = float(np.max(np.abs(original))) if len(original) else 0.0
    if scale == 0.0 or not np.isfinite(scale):
        return 0.0
    floor = 1e-7 + 1e-6 * scale  # F16 subnormals, values flushed to zero
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.abs(leaked - original) <= tolerance * np.abs(original) + floor
    return float(np.mean(close))


def _layouts(tensor: Tensor, leaked: F64, original: Original) -> Iterator[tuple[F64, str]]:
    yield leaked, ""
    shape = original.tensor.shape
    if len(shape) == 2 and (tuple(tensor.shape) != shape or shape[0] == shape[1]):
        yield leaked.reshape(shape[1], shape[0]).T.ravel(), "transposed"


def _how(tensor: Tensor, original: Tensor, layout: str) -> str:
    if tensor.dtype == original.dtype:
        cast = "same values, re-serialized" if tensor.data == original.data else "values close"
    else:
        cast = f"cast {original.dtype} to {tensor.dtype}"
    return f"{cast}, {layout}" if layout else cast


def near_matches(tensor: Tensor, originals: list[Original]) -> Iterator[tuple[Original, str]]:
    """The originals whose values ``tensor`` holds, with what was done to them."""
    leaked = values(tensor)
    if leaked is None or not np.any(leaked):
        return
    picks = np.linspace(0, len(leaked) - 1, num=min(_SAMPLE, len(leaked))).astype(np.int64)
    for original in originals:
        if original.tensor.count != tensor.count:
            continue
        theirs = values(original.tensor)
        if theirs is None:
            continue
        tolerance = _tolerance(tensor, original.tensor)
        for arranged, layout in _layouts(tensor, leaked, original):
            if _agree(arranged[picks], theirs[picks], tolerance) < _SAMPLE_AGREE:
                continue
            if _agree(arranged, theirs, tolerance) >= _AGREE:
                yield original, _how(tensor, original.tensor, layout)
                break
