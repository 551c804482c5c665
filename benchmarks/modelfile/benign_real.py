"""Benign model files written by the real libraries, for the false-positive side of the bypass
benchmark: NumPy, SciPy, scikit-learn (estimators whose pickles reference functions, Cython
reconstructors and lower-case classes), pandas, joblib (every codec joblib writes), and dill.

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


def _more_estimators() -> dict[str, Any]:
    """Estimators whose pickles reach past plain classes: metric functions, NumPy ufuncs,
    Cython loss objects and trees, SciPy's interp1d, column selectors."""
    import numpy as np
    from sklearn.compose import ColumnTransformer, make_column_selector
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.isotonic import IsotonicRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    rng = np.random.default_rng(11)
    x = rng.normal(size=(80, 3))
    y = (x[:, 0] > 0).astype(int)
    grid = GridSearchCV(KNeighborsClassifier(), {"n_neighbors": [1, 3]}, scoring="f1", cv=2)
    return {
        "hgb": HistGradientBoostingRegressor(max_iter=5).fit(x, x[:, 0]),
        "grid_f1": grid.fit(x, y),
        "knn_kdtree": KNeighborsClassifier(algorithm="kd_tree").fit(x, y),
        "log1p": FunctionTransformer(np.log1p).fit(np.abs(x)),
        "isotonic": IsotonicRegression().fit(x[:, 0], x[:, 1]),
        "mlp": MLPClassifier(hidden_layer_sizes=(4,), max_iter=20).fit(x, y),
        "tfidf": TfidfVectorizer().fit(["a model file", "another model", "benign text"]),
        "columns": ColumnTransformer(
            [("num", StandardScaler(), make_column_selector(dtype_include="number"))]
        ),
    }


def _frames() -> dict[str, Any]:
    """pandas objects of every common dtype (pickled as a DataFrame or Series)."""
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped]

    frame = pd.DataFrame(
        {
            "x": np.arange(4.0),
            "n": [1, 2, 3, 4],
            "s": ["a", "b", "c", "d"],
            "c": pd.Categorical(["u", "v", "u", "v"]),
            "t": pd.date_range("2026-01-01", periods=4, tz="UTC"),
            "d": pd.to_timedelta([1, 2, 3, 4], unit="s"),
            "p": pd.period_range("2026-01", periods=4, freq="M"),
            "b": pd.array([True, False, None, True], dtype="boolean"),
        },
        index=pd.MultiIndex.from_tuples([(1, "a"), (1, "b"), (2, "a"), (2, "b")]),
    )
    series = pd.Series([1.5, None], index=pd.DatetimeIndex(["2026-01-01", "2026-01-02"]))
    return {"frame": frame, "series": series, "interval": pd.interval_range(0, 4)}


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
    for name, model in _more_estimators().items():
        (out / f"sklearn_{name}.pkl").write_bytes(pickle.dumps(model, protocol=5))
    joblib.dump(_more_estimators()["hgb"], out / "sklearn_hgb.joblib")
    try:
        for name, frame in _frames().items():
            (out / f"pandas_{name}.pkl").write_bytes(pickle.dumps(frame, protocol=5))
            (out / f"pandas_{name}_p2.pkl").write_bytes(pickle.dumps(frame, protocol=2))
    except ImportError:
        pass
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
