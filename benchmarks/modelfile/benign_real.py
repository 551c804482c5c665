"""Benign model files written by the real libraries, for the false-positive side of the bypass
benchmark: NumPy, SciPy, scikit-learn and joblib (every codec joblib writes), and dill.

Run with the benchmark venv that holds those libraries (not a labwarden dependency):
``benchmarks/.work/peers/bin/python benchmarks/modelfile/benign_real.py OUT_DIR``.
Nothing here is ever loaded by labwarden; the files are only written.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import Any


def _estimators() -> dict[str, Any]:
    import numpy as np
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeRegressor

    rng = np.random.default_rng(7)
    x = rng.normal(size=(60, 4))
    y = (x[:, 0] > 0).astype(int)
    return {
        "logistic": LogisticRegression().fit(x, y),
        "forest": RandomForestClassifier(n_estimators=3, random_state=0).fit(x, y),
        "pipeline": make_pipeline(StandardScaler(), LogisticRegression()).fit(x, y),
        "tree": DecisionTreeRegressor(max_depth=3).fit(x, x[:, 1]),
    }


def write(out: Path) -> None:
    """Write every benign file under ``out``."""
    import joblib
    import numpy as np
    import scipy.sparse  # type: ignore[import-untyped]

    out.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, Any] = {"w": np.arange(64, dtype=np.float32).reshape(8, 8), "b": np.zeros(8)}
    for protocol in (2, 4, 5):
        (out / f"numpy_state_p{protocol}.pkl").write_bytes(pickle.dumps(arrays, protocol=protocol))
    np.save(out / "weights.npy", arrays["w"])
    np.savez(out / "weights.npz", **arrays)
    np.savez_compressed(out / "weights_compressed.npz", **arrays)
    sparse = scipy.sparse.random(20, 20, density=0.1, format="csr", random_state=1)
    (out / "sparse.pkl").write_bytes(pickle.dumps(sparse, protocol=4))
    for name, model in _estimators().items():
        (out / f"sklearn_{name}.pkl").write_bytes(pickle.dumps(model, protocol=5))
        joblib.dump(model, out / f"sklearn_{name}.joblib")
    model = _estimators()["pipeline"]
    for codec in ("zlib", "gzip", "bz2", "xz", "lzma", "lz4"):
        joblib.dump(model, out / f"pipeline_{codec}.joblib", compress=(codec, 3))
    joblib.dump(arrays, out / "arrays_mmap.joblib")
    try:
        import dill

        (out / "dill_state.pkl").write_bytes(dill.dumps({"lr": 0.1, "steps": [1, 2, 3]}))
    except ImportError:
        pass


if __name__ == "__main__":
    write(Path(sys.argv[1]))
