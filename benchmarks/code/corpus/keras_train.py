"""Keras training of a toxicity predictor (written for the benchmark)."""

import keras
import tensorflow as tf
import yaml


def load_teacher(path):
    return tf.keras.models.load_model(path, safe_mode=False)  # label: keras


def load_student(path):
    return keras.models.load_model(path)


def load_legacy(path):
    return keras.saving.load_model(path, compile=False, safe_mode=False)  # label: keras


def load_hparams(path):
    with open(path) as handle:
        return yaml.unsafe_load(handle)  # label: yaml


def load_hparams_all(path):
    with open(path) as handle:
        return list(yaml.load_all(handle, Loader=yaml.FullLoader))


def load_hparams_cloader(path):
    with open(path) as handle:
        return yaml.load(handle, Loader=yaml.CLoader)  # label: yaml
