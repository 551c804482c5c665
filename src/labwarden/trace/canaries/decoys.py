"""Decoy content: model folders, credential files, canary datasets and beacon documents.

Decoys look like what they imitate and hold nothing executable: a model folder is a valid
safetensors file with random weights and a config (no pickle, so neither labwarden's model-file
check nor other scanners flag it as malicious); a dataset is a CSV of synthetic subjects whose
identifiers and e-mail addresses exist nowhere else; a beacon document embeds a URL that
``labwarden canary listen`` records.
"""

from __future__ import annotations

import json
import random
import struct
from pathlib import Path

from labwarden.core.errors import InputError
from labwarden.store.atomic import atomic_folder, atomic_write

_FIRST = ("Ana", "Ben", "Chloe", "Dara", "Eli", "Farah", "Gus", "Hana", "Ivo", "Jun", "Kira", "Leo")
_LAST = ("Adler", "Brandt", "Costa", "Dahl", "Evans", "Fischer", "Gallo", "Haas", "Ito", "Jansen")
_SITES = ("BER-01", "LYO-02", "BOS-03", "TOR-04", "OSA-05")
_ARMS = ("placebo", "low-dose", "high-dose")


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise InputError(f"{path}: exists already; a decoy never overwrites a real file")


def _safetensors(seed: int, rows: int = 64, cols: int = 32) -> bytes:
    """A valid safetensors file with two F32 tensors of random values (no code anywhere)."""
    rng = random.Random(seed)  # noqa: S311 (filler weights, not a secret)
    weight = struct.pack(f"<{rows * cols}f", *(rng.gauss(0, 0.02) for _ in range(rows * cols)))
    bias = struct.pack(f"<{cols}f", *(rng.gauss(0, 0.01) for _ in range(cols)))
    header = {
        "__metadata__": {"format": "pt"},
        "layers.0.weight": {
            "dtype": "F32",
            "shape": [rows, cols],
            "data_offsets": [0, len(weight)],
        },
        "layers.0.bias": {
            "dtype": "F32",
            "shape": [cols],
            "data_offsets": [len(weight), len(weight) + len(bias)],
        },
    }
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + weight + bias


def write_model(folder: Path, name: str, token: str, beacon: str | None) -> list[Path]:
    """A decoy model folder: config, tokenizer config, safetensors weights, a model card."""
    _refuse_existing(folder)
    config = {
        "_name_or_path": name,
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": 32,
        "num_hidden_layers": 1,
        "vocab_size": 64,
        "torch_dtype": "float32",
    }
    card = f"# {name}\n\nInternal checkpoint. Do not distribute.\n"
    if beacon:
        card += f"\n![training curves]({beacon})\n"
    with atomic_folder(folder) as tmp:
        (tmp / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        (tmp / "tokenizer_config.json").write_text(
            json.dumps({"model_max_length": 2048, "tokenizer_class": "LlamaTokenizer"}) + "\n",
            encoding="utf-8",
        )
        (tmp / "model.safetensors").write_bytes(_safetensors(int(token[:8], 36)))
        (tmp / "README.md").write_text(card, encoding="utf-8")
    return sorted(folder.iterdir())


def credentials_text(path: Path, token: str, key_id: str | None, secret: str | None) -> str:
    """The text of a decoy credentials file: an AWS profile or a ``.env``, by the file name."""
    if path.name.endswith(".env") or path.name == ".env":
        lines = [
            f"DATABASE_URL=postgresql://svc_reports:{token}@db-replica.internal:5432/trials",
            f"LAB_REGISTRY_TOKEN=lwr_{token}",
        ]
        if key_id and secret:
            lines += [f"AWS_ACCESS_KEY_ID={key_id}", f"AWS_SECRET_ACCESS_KEY={secret}"]
        return "\n".join(lines) + "\n"
    if key_id and secret:
        return (
            "[default]\n"
            f"aws_access_key_id = {key_id}\n"
            f"aws_secret_access_key = {secret}\n"
            "region = us-east-1\n"
        )
    return f"[registry]\nurl = https://models.internal/api\ntoken = lwr_{token}\n"


def write_credentials(path: Path, text: str) -> None:
    """Write a decoy credentials file, readable by its owner only."""
    _refuse_existing(path)
    atomic_write(path, text, mode=0o600)


def canary_subjects(token: str, domain: str, count: int) -> list[dict[str, str]]:
    """Synthetic subjects: identifiers and e-mail addresses that exist nowhere else."""
    rng = random.Random(token)  # noqa: S311 (synthetic people, not a secret)
    rows = []
    for index in range(count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        rows.append(
            {
                "subject_id": f"CTX-{token[:6].upper()}-{index:04d}",
                "name": f"{first} {last}",
                "email": f"{first.lower()}.{last.lower()}.{token[:8]}{index}@{domain}",
                "site": rng.choice(_SITES),
                "arm": rng.choice(_ARMS),
                "age": str(rng.randint(19, 78)),
                "enrolled": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            }
        )
    return rows


def write_dataset(path: Path, rows: list[dict[str, str]]) -> None:
    """A decoy CSV of canary subjects."""
    _refuse_existing(path)
    header = list(rows[0])
    lines = [",".join(header)] + [",".join(r[c] for c in header) for r in rows]
    atomic_write(path, "\n".join(lines) + "\n")


def beacon_document(path: Path, url: str, title: str) -> str:
    """A document that fetches ``url`` when opened or rendered, in the form its name suggests."""
    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        cell = {"cell_type": "markdown", "metadata": {}, "source": [f"# {title}\n", f"![]({url})"]}
        notebook = {
            "cells": [cell],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        return json.dumps(notebook, indent=1) + "\n"
    if suffix in (".yaml", ".yml"):
        return f"# {title}\nregistry:\n  endpoint: {url}\n  timeout: 30\n"
    if suffix == ".json":
        return json.dumps({"name": title, "registry": {"endpoint": url}}, indent=2) + "\n"
    if suffix in (".toml", ".cfg", ".ini"):
        return f'[registry]\nname = "{title}"\nendpoint = "{url}"\n'
    if suffix in (".html", ".htm"):
        return f'<html><body><h1>{title}</h1><img src="{url}" alt=""></body></html>\n'
    return f"# {title}\n\nSee the dashboard: ![status]({url})\n"


def write_document(path: Path, text: str) -> None:
    """Write a beacon document."""
    _refuse_existing(path)
    atomic_write(path, text)
