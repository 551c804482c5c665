"""Feature caches and preprocessing for assay data (written for the benchmark)."""

import pickle as pk
import shelve
from pickle import load as pload

import cloudpickle
import dill
import pandas as pd

from .features import Featurizer


class Cache:
    """A cache of featurized molecules (its load is not pickle)."""

    def __init__(self, path):
        self.path = path

    def load(self, key):
        return self.path + key


def read_frames(path):
    frame = pd.read_pickle(path)  # label: pickle
    parquet = pd.read_parquet(path.replace(".pkl", ".parquet"))
    return frame, parquet


def read_featurizer(path):
    with open(path, "rb") as handle:
        return pk.load(handle)  # label: pickle


def read_legacy(path):
    with open(path, "rb") as handle:
        return pload(handle)  # label: pickle


def read_lambda_pipeline(path):
    with open(path, "rb") as handle:
        return dill.load(handle)  # label: pickle


def read_remote_function(blob):
    return cloudpickle.loads(blob)  # label: pickle


def read_index(path):
    with shelve.open(path) as db:  # label: pickle
        return dict(db)


def read_dynamic(path):
    loader = getattr(pk, "load")  # noqa: B009
    with open(path, "rb") as handle:
        return loader(handle)  # label: pickle


def featurize(smiles):
    cache = Cache("/tmp/cache/")
    cache.load(smiles)
    return Featurizer().transform([smiles])


def write_cache(obj, path):
    with open(path, "wb") as handle:
        pk.dump(obj, handle)
