"""How a credential is written in each kind of file, in two disjoint styles.

``dev`` templates are the plain forms the rules were tuned on (``NAME=value``). ``heldout``
templates are written separately and used only for measuring: quoted values with trailing
comments, ``os.environ.setdefault``, settings dicts, keyword arguments, Kubernetes ``env`` lists
and ECS ``{"name": ..., "value": ...}`` pairs (the key name away from the value), inline shell
environment and ``docker run -e``, TOML sections.
"""

from __future__ import annotations

import random
from collections.abc import Callable

Template = Callable[[str, str, random.Random], list[str]]
FILE_TYPES = ("env", "python", "yaml", "json", "shell", "config")
EXTENSIONS = {
    "env": ".env",
    "python": ".py",
    "yaml": ".yaml",
    "json": ".json",
    "shell": ".sh",
    "config": ".toml",
}


def _lower(name: str) -> str:
    return name.lower()


DEV: dict[str, Template] = {
    "env": lambda n, v, r: [f"{n}={v}"],
    "python": lambda n, v, r: [f'{n} = "{v}"'],
    "yaml": lambda n, v, r: [f"  {_lower(n)}: {v}"],
    "json": lambda n, v, r: [f'  "{n}": "{v}",'],
    "shell": lambda n, v, r: [f"export {n}={v}"],
    "config": lambda n, v, r: [f'{_lower(n)} = "{v}"'],
}


def _env_b(n: str, v: str, r: random.Random) -> list[str]:
    return [
        r.choice(
            [f'{n}="{v}"  # rotated 2026-02-11', f"{n}='{v}'", f'{n}="{v}"', f"{n}={v}  # ops"]
        )
    ]


def _python_b(n: str, v: str, r: random.Random) -> list[str]:
    return [
        r.choice(
            [
                f'os.environ.setdefault("{n}", "{v}")',
                f'SETTINGS = {{"{_lower(n)}": "{v}", "timeout": 30}}',
                f'client = build_client(region="eu-west-1", {_lower(n)}="{v}")',
                f'{n}: Final[str] = "{v}"',
                f"os.environ['{n}'] = '{v}'",
            ]
        )
    ]


def _yaml_b(n: str, v: str, r: random.Random) -> list[str]:
    if r.random() < 0.5:
        return [f"            - name: {n}", f'              value: "{v}"']
    return [f"      {n}: '{v}'"]


def _json_b(n: str, v: str, r: random.Random) -> list[str]:
    if r.random() < 0.5:
        return [f'        {{"name": "{n}", "value": "{v}"}},']
    return [f'    "{_lower(n)}": "{v}",']


def _shell_b(n: str, v: str, r: random.Random) -> list[str]:
    return [
        r.choice(
            [
                f"{n}={v} python train.py --epochs 3",
                f"docker run --rm -e {n}={v} registry.acme.io/lab/trainer:1.4",
                f'export {n}="{v}"',
                f"env {n}='{v}' ./sync_checkpoints.sh",
            ]
        )
    ]


def _config_b(n: str, v: str, r: random.Random) -> list[str]:
    return [r.choice([f'{_lower(n)} = "{v}"', f"{_lower(n)} = '{v}'"])]


HELDOUT: dict[str, Template] = {
    "env": _env_b,
    "python": _python_b,
    "yaml": _yaml_b,
    "json": _json_b,
    "shell": _shell_b,
    "config": _config_b,
}

NEUTRAL: dict[str, list[str]] = {
    "env": ["LOG_LEVEL=info", "MODEL_DIR=/data/models", "BATCH_SIZE=64", "REGION=eu-west-1"],
    "python": [
        "import os",
        "from pathlib import Path",
        "EPOCHS = 3",
        "def train(cfg):",
        "    return cfg['lr'] * 0.5",
        "MODEL = 'meta-llama/Llama-3.1-8B'",
    ],
    "yaml": ["spec:", "  replicas: 2", "  image: registry.acme.io/lab/trainer:1.4", "kind: Job"],
    "json": ['  "name": "trainer",', '  "replicas": 2,', '  "image": "trainer:1.4",'],
    "shell": ["#!/usr/bin/env bash", "set -euo pipefail", "cd /srv/lab", "nvidia-smi"],
    "config": ["[training]", "epochs = 3", "lr = 0.0003", 'bucket = "s3://lab-ckpt"'],
}
"""Ordinary lines that surround the examples; any finding on one is a false positive."""


def _env_c(n: str, v: str, r: random.Random) -> list[str]:
    return [r.choice([f"{n} = {v}", f"export {n}={v}", f"{n}='{v}'  # from the vault export"])]


def _python_c(n: str, v: str, r: random.Random) -> list[str]:
    return [
        r.choice(
            [
                f'    {_lower(n)}: str = Field(default="{v}")',
                f'config["{n}"] = "{v}"',
                f'os.environ.update({{"{n}": "{v}"}})',
                f'env = dict({n}="{v}", LOG_LEVEL="info")',
            ]
        )
    ]


def _yaml_c(n: str, v: str, r: random.Random) -> list[str]:
    return [r.choice([f"      - {n}={v}", f"  {n}: {v}", f'        {_lower(n)}: "{v}"'])]


def _json_c(n: str, v: str, r: random.Random) -> list[str]:
    return [r.choice([f'{{"{n}":"{v}"}}', f'[{{"name":"{n}","value":"{v}"}}]'])]


def _shell_c(n: str, v: str, r: random.Random) -> list[str]:
    return [
        r.choice(
            [
                f"kubectl create secret generic trainer --from-literal={n}={v}",
                f"helm upgrade --install trainer ./chart --set env.{n}={v}",
                f'gh secret set {n} --body "{v}"',
                f"docker run --env {n}={v} trainer:1.4",
            ]
        )
    ]


def _config_c(n: str, v: str, r: random.Random) -> list[str]:
    return [r.choice([f"{_lower(n)}: {v}", f"{_lower(n).replace('_', '.')}={v}", f'{n} = "{v}"'])]


HELDOUT2: dict[str, Template] = {
    "env": _env_c,
    "python": _python_c,
    "yaml": _yaml_c,
    "json": _json_c,
    "shell": _shell_c,
    "config": _config_c,
}
"""A second held-out style, written after the first held-out run and measured once."""

STYLES = {"dev": DEV, "heldout": HELDOUT, "heldout2": HELDOUT2}
