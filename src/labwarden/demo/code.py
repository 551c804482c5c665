"""Demo code: the training pipeline repository (with a leaked cloud key and a .env file),
notebooks, loose scripts, infrastructure credentials and documents."""

from __future__ import annotations

import base64
import json

from labwarden.demo.writer import Lab

_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

MODULES = [
    "data",
    "featurize",
    "splits",
    "model",
    "layers",
    "losses",
    "metrics",
    "train",
    "evaluate",
    "infer",
    "registry",
    "storage",
    "tracking",
    "schedules",
    "augment",
    "docking",
    "admet",
    "utils",
]


def _key(lab: Lab) -> tuple[str, str]:
    rng = lab.rng
    key_id = "AKIA" + "".join(rng.choice(_B32) for _ in range(16))
    secret = base64.b64encode(bytes(rng.randrange(256) for _ in range(30))).decode()
    return key_id, secret


def _module(name: str) -> str:
    return (
        f'"""{name.capitalize()} utilities of the docking pipeline."""\n\n'
        "from __future__ import annotations\n\n"
        "import logging\n\n"
        "log = logging.getLogger(__name__)\n\n\n"
        f"def {name}_step(batch: list[float], scale: float = 1.0) -> list[float]:\n"
        f'    """Apply the {name} step to one batch."""\n'
        "    return [x * scale for x in batch]\n"
    )


def _notebook(cells: list[tuple[str, str, str | None]]) -> str:
    out = []
    for kind, source, output in cells:
        cell: dict[str, object] = {"cell_type": kind, "metadata": {}, "source": source}
        if kind == "code":
            cell["execution_count"] = 1
            cell["outputs"] = (
                [{"output_type": "stream", "name": "stdout", "text": output}] if output else []
            )
        out.append(cell)
    doc = {
        "cells": out,
        "metadata": {"kernelspec": {"name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(doc, indent=1)


def build(lab: Lab) -> None:
    """Write the demo's code, credentials and documents."""
    repo = "code/drug-discovery-pipeline"
    lab.write(f"{repo}/.git/HEAD", "ref: refs/heads/main\n")
    lab.write(f"{repo}/.git/config", "[core]\n\trepositoryformatversion = 0\n")
    lab.write(
        f"{repo}/pyproject.toml",
        '[project]\nname = "ddp"\nversion = "0.7.0"\ndependencies = ["torch", "rdkit"]\n',
    )
    lab.write(f"{repo}/README.md", "# Docking pipeline\nTrains the docking and ADMET models.\n")
    lab.write(f"{repo}/requirements.txt", "torch==2.4.1\nrdkit==2024.3.5\nwandb==0.18.0\n")
    lab.write(
        f"{repo}/Dockerfile",
        "FROM python:3.11-slim\nCOPY . /app\nRUN pip install /app\n"
        'CMD ["python", "-m", "ddp.train"]\n',
    )
    lab.write(f"{repo}/src/ddp/__init__.py", '"""Docking pipeline."""\n')
    for day, name in enumerate(MODULES):
        lab.write(f"{repo}/src/ddp/{name}.py", _module(name), day=day)
        lab.write(
            f"{repo}/tests/test_{name}.py",
            f"from ddp.{name} import {name}_step\n\n\ndef test_{name}() -> None:\n"
            f"    assert {name}_step([1.0], 2.0) == [2.0]\n",
            day=day,
        )
    key_id, secret = _key(lab)
    lab.facts["leaked_key"] = {"path": f"{repo}/src/ddp/sync_weights.py", "key_id": key_id}
    lab.write(
        f"{repo}/src/ddp/sync_weights.py",
        '"""Copy trained weights to the model bucket (TODO: move keys to the vault)."""\n\n'
        "import boto3\n\n"
        f'AWS_ACCESS_KEY_ID = "{key_id}"\n'
        f'AWS_SECRET_ACCESS_KEY = "{secret}"\n\n\n'
        "def upload(path: str) -> None:\n"
        '    """Upload one checkpoint."""\n'
        '    s3 = boto3.client("s3", aws_access_key_id=AWS_ACCESS_KEY_ID,\n'
        "                      aws_secret_access_key=AWS_SECRET_ACCESS_KEY)\n"
        '    s3.upload_file(path, "acme-models-prod", "docking/" + path)\n',
        day=20,
    )
    lab.write(
        f"{repo}/configs/train.yaml",
        "model: docking-v7\nepochs: 30\nbatch_size: 256\n"
        "data: s3://acme-datasets/assays/hts-screen-2026q3/\n"
        "output: s3://acme-models-prod/docking/\n",
    )
    lab.write(
        f"{repo}/configs/sweep.yaml", "method: bayes\nmetric: {name: val_auc, goal: maximize}\n"
    )
    wandb_key = "".join(lab.rng.choice("0123456789abcdef") for _ in range(40))
    lab.write(
        f"{repo}/.env",
        f"WANDB_API_KEY={wandb_key}\n"
        "DATABASE_URL=postgresql://ddp:Tr41n-Pipeline!@db.internal.acme:5432/experiments\n",
        mode=0o644,
    )
    lab.write(
        f"{repo}/notebooks/01-explore-assays.ipynb",
        _notebook(
            [
                ("markdown", "# Assay exploration", None),
                (
                    "code",
                    "import pandas as pd\ndf = pd.read_parquet('s3://acme-datasets/assays/')",
                    None,
                ),
                ("code", "df.describe()", "count  4800\nmean   312.4\n"),
            ]
        ),
        day=10,
    )
    lab.write(
        f"{repo}/notebooks/02-tox-results.ipynb",
        _notebook([("code", "print(auc)", "0.871\n"), ("markdown", "Tox model looks good.", None)]),
        day=18,
    )
    lab.write(
        f"{repo}/scripts/nightly-train.sh",
        "#!/bin/sh\nset -e\npython -m ddp.train --config configs/train.yaml\n",
        mode=0o750,
    )

    lab.write("code/scratch/quick_eval.py", _module("quick_eval"), day=21)
    lab.write("code/scratch/plot_curves.py", _module("plot_curves"), day=22)

    lab.write(
        "home/ci-runner/.ssh/id_ed25519",
        "-----BEGIN OPENSSH PRIVATE KEY-----\n"
        + base64.b64encode(bytes(lab.rng.randrange(256) for _ in range(180))).decode()
        + "\n-----END OPENSSH PRIVATE KEY-----\n",
        mode=0o644,
    )
    lab.facts["loose_private_key"] = "home/ci-runner/.ssh/id_ed25519"
    ci_key, ci_secret = _key(lab)
    lab.write(
        "home/ci-runner/.aws/credentials",
        f"[default]\naws_access_key_id = {ci_key}\naws_secret_access_key = {ci_secret}\n",
        mode=0o600,
    )
    lab.write_json(
        "infra/gcp/service-account-pipeline.json",
        {
            "type": "service_account",
            "project_id": "acme-discovery",
            "private_key_id": "".join(lab.rng.choice("0123456789abcdef") for _ in range(40)),
            "private_key": (
                "-----BEGIN PRIVATE KEY-----\nMIIE...demo...\n-----END PRIVATE KEY-----\n"
            ),
            "client_email": "pipeline@acme-discovery.iam.gserviceaccount.com",
        },
        mode=0o600,
    )
    lab.write(
        "infra/k8s/kubeconfig",
        "apiVersion: v1\nkind: Config\nclusters:\n- name: gpu\n  cluster: {server: https://10.0.0.1}\n"
        "users:\n- name: ci\n  user: {token: demo-token}\ncontexts: []\n",
        mode=0o600,
    )
    lab.write(
        "infra/terraform/buckets.tf",
        'resource "aws_s3_bucket" "models" {\n  bucket = "acme-models-prod"\n}\n',
    )
    lab.write(
        "docs/CTX-104-protocol-synopsis.md",
        "# CTX-104 protocol synopsis\n"
        "Randomized, double-blind, placebo-controlled phase II study.\n",
    )
    lab.write("docs/CTX-104-protocol.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    lab.write("docs/public/tox-classifier-model-card.md", "# Tox classifier\nPublic model card.\n")
