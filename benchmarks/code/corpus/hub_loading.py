"""Model zoo loading for evaluation jobs (written for the benchmark)."""

import torch
from huggingface_hub import hf_hub_download, snapshot_download
from sentence_transformers import SentenceTransformer

COMMIT = "5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c"


def backbone():
    return torch.hub.load("pytorch/vision", "resnet50", weights="IMAGENET1K_V2")  # label: hub


def pinned_backbone():
    return torch.hub.load(f"pytorch/vision:{COMMIT}", "resnet50")


def local_backbone():
    return torch.hub.load("./hub", "resnet50", source="local")


def remote_weights(url):
    return torch.hub.load_state_dict_from_url(url)  # label: torch


def checkpoint_from_hub():
    path = hf_hub_download(repo_id="acme-ai/docking-gnn", filename="model.pt")  # label: hub
    return torch.load(path)  # label: torch


def snapshot():
    return snapshot_download("acme-ai/docking-gnn", revision=COMMIT)


def embedder():
    return SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")  # label: hub


def embedder_pinned():
    return SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2", revision=COMMIT)
