"""Image classifier training with resumable checkpoints (written for the benchmark)."""

import argparse
import os
import pickle

import joblib
import numpy as np
import torch
import yaml
from torch import nn
from transformers import AutoImageProcessor, AutoModelForImageClassification

REVISION = "3f2a9c1d0b8e7f6a5d4c3b2a1908f7e6d5c4b3a2"


def load_config(path):
    with open(path) as handle:
        return yaml.load(handle)  # label: yaml


def load_config_safely(path):
    with open(path) as handle:
        return yaml.load(handle, Loader=yaml.SafeLoader)


def build_model(cfg):
    model = AutoModelForImageClassification.from_pretrained(cfg["backbone"])  # label: hub
    processor = AutoImageProcessor.from_pretrained(
        "google/vit-base-patch16-224", revision=REVISION
    )
    return model, processor


def resume(model, optimizer, checkpoint_dir):
    state = torch.load(os.path.join(checkpoint_dir, "last.pt"), map_location="cpu")  # label: torch
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    return state["epoch"]


def load_pretrained_head(model, path):
    head = torch.load(path, weights_only=True)
    model.classifier.load_state_dict(head)


def load_label_encoder(path):
    with open(path, "rb") as handle:
        return pickle.load(handle)  # label: pickle


def load_scaler(path):
    return joblib.load(path)  # label: pickle


def load_class_weights(path):
    weights = np.load(path, allow_pickle=True)  # label: numpy
    plain = np.load(path.replace(".npy", "_plain.npy"))
    return weights, plain


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="configs/vit.yaml")
    args = parser.parse_args()
    cfg = load_config(args.config)
    model, _ = build_model(cfg)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg["lr"])
    start = resume(model, optimizer, cfg["checkpoints"])
    model.eval()
    loss_fn = nn.CrossEntropyLoss()
    print(start, loss_fn)


if __name__ == "__main__":
    main()
