"""Build the labelled secrets evaluation set (deterministic; written under benchmarks/.work).

Every candidate is one line (or a block of lines) of a realistic file: training code, notebooks,
YAML/INI/TOML/.env/JSON configs, shell scripts, Dockerfiles, Terraform, Java properties, XML and
logs. Positives are credentials with real structure (valid GitHub checksums, decodable JWTs,
PEM/OpenSSH key bodies, 64-byte Azure keys ...); hard negatives are what secret scanners trip
on: UUIDs, git SHAs and model revisions, file and image digests, documentation example keys,
placeholders, environment references, test fixtures, public keys and certificates, SMILES and
protein strings, tokenizer settings and high-entropy IDs.

Labels go to ``labels.csv``: file, first line, last line, label (1 secret, 0 not), kind.
Every line not inside a positive region is a negative: a hit there is a false positive.
"""

from __future__ import annotations

import base64
import csv
import json
import random
import re
import shutil
import string
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks.secrets.negatives import negatives
from benchmarks.secrets.values import (
    ALNUM,
    B32,
    HEX,
    Build,
    Candidate,
    aws_pair,
    github,
    jwt,
    npm,
    openssh_key,
    password,
    rsa_pem,
)

ROOT = Path(__file__).resolve().parents[1] / ".work" / "secrets-eval"


def positives(b: Build) -> list[tuple[str, Callable[[Build], list[str]]]]:
    """(kind, function making the lines) for every kind of true secret."""

    def one(fmt: str) -> Callable[[Callable[[Build], str]], Callable[[Build], list[str]]]:
        def wrap(fn: Callable[[Build], str]) -> Callable[[Build], list[str]]:
            return lambda bb: [fmt.format(v=fn(bb))]

        return wrap

    hf = lambda bb: "hf_" + bb.r(string.ascii_letters, 34)  # noqa: E731
    openai = lambda bb: "sk-proj-" + bb.r(ALNUM, 74) + "T3BlbkFJ" + bb.r(ALNUM, 74)  # noqa: E731
    wandb = lambda bb: bb.r(HEX, 40)  # noqa: E731
    generic = lambda bb: bb.r(ALNUM, bb.rng.choice([32, 40, 48]))  # noqa: E731
    return [
        ("aws-key-id-py", one('AWS_ACCESS_KEY_ID = "{v}"')(lambda bb: aws_pair(bb)[0])),
        ("aws-secret-py", one('aws_secret_access_key = "{v}"')(lambda bb: aws_pair(bb)[1])),
        (
            "aws-boto-kwargs",
            one('s3 = boto3.client("s3", aws_access_key_id="{v}")')(lambda bb: aws_pair(bb)[0]),
        ),
        ("aws-env", one("AWS_SECRET_ACCESS_KEY={v}")(lambda bb: aws_pair(bb)[1])),
        ("github-token", one('GITHUB_TOKEN = "{v}"')(github)),
        ("github-in-url", one("git clone https://{v}@github.com/acme/ddp.git")(github)),
        (
            "github-fine",
            one("token: github_pat_{v}")(lambda bb: bb.r(ALNUM, 22) + "_" + bb.r(ALNUM, 59)),
        ),
        ("hf-login", one('login(token="{v}")')(hf)),
        ("hf-env", one("export HF_TOKEN={v}")(hf)),
        ("hf-yaml", one("hub_token: {v}")(hf)),
        ("wandb-env", one("WANDB_API_KEY={v}")(wandb)),
        ("wandb-login", one('wandb.login(key="{v}")')(wandb)),
        ("openai", one('client = OpenAI(api_key="{v}")')(openai)),
        ("openai-env", one("OPENAI_API_KEY={v}")(openai)),
        (
            "anthropic",
            one('ANTHROPIC_API_KEY = "sk-ant-api03-{v}AA"')(lambda bb: bb.r(ALNUM + "-_", 93)),
        ),
        ("gitlab", one("CI_TOKEN: glpat-{v}")(lambda bb: bb.r(ALNUM + "-_", 20))),
        (
            "slack-bot",
            one('SLACK_BOT_TOKEN = "xoxb-{v}"')(
                lambda bb: f"{bb.r(string.digits, 12)}-{bb.r(string.digits, 13)}-{bb.r(ALNUM, 24)}"
            ),
        ),
        (
            "slack-webhook",
            one('webhook_url: "https://hooks.slack.com/services/{v}"')(
                lambda bb: f"T{bb.r(B32, 10)}/B{bb.r(B32, 10)}/{bb.r(ALNUM, 24)}"
            ),
        ),
        ("databricks", one('DATABRICKS_TOKEN = "dapi{v}"')(lambda bb: bb.r(HEX, 32))),
        ("gcp-api-key", one('maps_key = "AIza{v}"')(lambda bb: bb.r(ALNUM + "-_", 35))),
        ("stripe", one('stripe.api_key = "sk_live_{v}"')(lambda bb: bb.r(ALNUM, 24))),
        (
            "sendgrid",
            one('SENDGRID_API_KEY = "SG.{v}"')(lambda bb: bb.r(ALNUM, 22) + "." + bb.r(ALNUM, 43)),
        ),
        (
            "npm",
            one("//registry.npmjs.org/:_authToken=npm_{v}")(npm),
        ),
        (
            "postgres-url",
            one('DATABASE_URL = "postgresql://ml_user:{v}@db.prod.internal:5432/experiments"')(
                password
            ),
        ),
        ("mysql-url", one("  url: mysql+pymysql://etl:{v}@10.0.3.12/warehouse")(password)),
        (
            "mongo-url",
            one('MONGO_URI="mongodb+srv://admin:{v}@cluster0.ab12c.mongodb.net/"')(password),
        ),
        ("redis-url", one("CELERY_BROKER_URL=redis://:{v}@redis.internal:6379/0")(password)),
        ("mlflow-url", one("MLFLOW_TRACKING_URI=https://tracker:{v}@mlflow.acme.io")(password)),
        ("mlflow-password", one("export MLFLOW_TRACKING_PASSWORD={v}")(password)),
        ("jwt-header", one('headers = {{"Authorization": "Bearer {v}"}}')(jwt)),
        ("jwt-log", one("2026-10-02T10:00:01Z DEBUG auth ok token={v}")(jwt)),
        (
            "curl-bearer",
            one('curl -H "Authorization: Bearer {v}" https://api.acme.io/v1/models')(generic),
        ),
        ("py-password", one('DB_PASSWORD = "{v}"')(password)),
        (
            "py-kwarg-password",
            one('conn = psycopg2.connect(host="db", user="ml", password="{v}")')(password),
        ),
        ("yaml-password", one("    password: {v}")(password)),
        ("yaml-password-quoted", one('  db_password: "{v}"')(password)),
        ("env-password", one("POSTGRES_PASSWORD={v}")(password)),
        ("ini-password", one("password = {v}")(password)),
        ("json-password", one('  "password": "{v}",')(password)),
        ("properties-password", one("spring.datasource.password={v}")(password)),
        ("xml-password", one("  <password>{v}</password>")(password)),
        (
            "jdbc-password",
            one('jdbc_url = "jdbc:sqlserver://db:1433;user=sa;password={v};"')(password),
        ),
        ("dotnet-password", one('"Server=tcp:sql.acme.net;User ID=app;Password={v};"')(password)),
        ("cli-password", one("mysql -h db.internal -u root -p{v} warehouse < dump.sql")(password)),
        ("curl-basic", one("curl -u deploy:{v} https://registry.acme.io/v2/")(password)),
        ("generic-api-key", one('API_KEY = "{v}"')(generic)),
        (
            "generic-secret-key",
            one('SECRET_KEY = "{v}"')(lambda bb: bb.r(ALNUM + "!@#$%^&*(-_=+)", 50)),
        ),
        ("generic-client-secret", one('  "client_secret": "{v}",')(generic)),
        ("generic-yaml-token", one("  api_token: {v}")(generic)),
        (
            "azure-conn",
            one(
                'AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=acmeml;AccountKey={v};EndpointSuffix=core.windows.net"'
            )(lambda bb: base64.b64encode(bb.rng.randbytes(64)).decode()),
        ),
        (
            "azure-client-secret",
            one('AZURE_CLIENT_SECRET = "{v}"')(
                lambda bb: bb.r(ALNUM, 3) + "8Q~" + bb.r(ALNUM + "_-.~", 31)
            ),
        ),
        ("kube-token", one("    token: {v}")(jwt)),
        (
            "docker-auth",
            one('      "auth": "{v}"')(
                lambda bb: base64.b64encode(f"ci:{password(bb)}".encode()).decode()
            ),
        ),
        ("rsa-key", rsa_pem),
        ("openssh-key", openssh_key),
    ]


NEUTRAL = {
    "python": [
        "import os",
        "import logging",
        "import torch",
        "from pathlib import Path",
        "log = logging.getLogger(__name__)",
        "",
        "def train(model, loader, epochs: int = 10) -> None:",
        "    for epoch in range(epochs):",
        "        loss = step(model, loader)",
        '        log.info("epoch %d loss %.4f", epoch, loss)',
        "BATCH_SIZE = 256",
        'DATA = Path("/data/assays/hts-screen-2026q3")',
    ],
    "yaml": [
        "model: docking-v7",
        "epochs: 30",
        "optimizer:",
        "  name: adamw",
        "  lr: 3.0e-4",
        "data:",
        "  path: s3://acme-datasets/assays/",
    ],
    "env": ["PYTHONUNBUFFERED=1", "CUDA_VISIBLE_DEVICES=0,1", "LOG_LEVEL=info", "DATA_DIR=/data"],
    "ini": ["[database]", "host = db.internal", "port = 5432", "[training]", "epochs = 30"],
    "json": ["{", '  "name": "tox-classifier",', '  "version": "1.4.0",', '  "threshold": 0.5,'],
    "shell": [
        "#!/bin/sh",
        "set -euo pipefail",
        "python -m ddp.train --config configs/train.yaml",
        'echo "done"',
    ],
    "log": [
        "2026-10-02T10:00:00Z INFO service started",
        "2026-10-02T10:00:03Z INFO scoring batch size=64",
        "2026-10-02T10:00:04Z WARN slow request 812ms",
    ],
    "xml": ["<configuration>", "  <host>db.internal</host>", "  <port>5432</port>"],
    "properties": [
        "spring.datasource.url=jdbc:postgresql://db:5432/ml",
        "server.port=8080",
        "logging.level.root=INFO",
    ],
    "docker": ["FROM python:3.11-slim", "WORKDIR /app", "COPY . /app", "RUN pip install -e ."],
}
FILES = [
    ("python", ".py"),
    ("yaml", ".yaml"),
    ("env", ".env"),
    ("ini", ".cfg"),
    ("json", ".json"),
    ("shell", ".sh"),
    ("log", ".log"),
    ("xml", ".xml"),
    ("properties", ".properties"),
    ("docker", "Dockerfile"),
]


def _file_name(index: int, ext: str) -> str:
    if ext in ("Dockerfile", ".env", ".npmrc"):
        return f"svc{index:03d}/{ext}"
    return f"f{index:03d}{ext}"


def _notebook(source_line: str) -> str:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Tox model exploration\n"]},
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [],
            "source": ["import pandas as pd\n", "df = pd.read_parquet('assays.parquet')\n"],
        },
        {
            "cell_type": "code",
            "execution_count": 2,
            "metadata": {},
            "outputs": [{"output_type": "stream", "name": "stdout", "text": ["rows: 4800\n"]}],
            "source": [source_line + "\n", "df.head()\n"],
        },
    ]
    return json.dumps(
        {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1
    )


_STYLE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\d{4}-\d\d-\d\dT"), "log"),
    (re.compile(r"^(?:curl |mysql |git clone|export |ssh-)"), "shell"),
    (re.compile(r"^FROM "), "docker"),
    (re.compile(r"^<"), "xml"),
    (re.compile(r"^//registry\.npmjs\.org"), "npmrc"),
    (re.compile(r'^"[^"]*"\s*:|^\{|^"Server='), "json"),
    (re.compile(r"^[a-z]+(\.[a-z]+)+="), "properties"),
    (re.compile(r"^[A-Z][A-Z0-9_]*="), "env"),
    (re.compile(r"^[\w.\-]+:(\s|$)|^secretKeyRef"), "yaml"),
    (re.compile(r"^[a-z_]+ = [^\"'(\[{(]+$"), "ini"),
)


def style_of(lines: list[str]) -> str:
    """The kind of file a candidate's syntax belongs in (first matching rule, else Python)."""
    if len(lines) > 1:
        return "pem"
    stripped = lines[0].strip()
    return next((style for rule, style in _STYLE_RULES if rule.search(stripped)), "python")


NEUTRAL["pem"] = []
NEUTRAL["npmrc"] = ["registry=https://registry.npmjs.org/", "always-auth=true"]
EXTENSIONS = {
    "python": ".py",
    "yaml": ".yaml",
    "env": ".env",
    "ini": ".cfg",
    "json": ".json",
    "shell": ".sh",
    "log": ".log",
    "xml": ".xml",
    "properties": ".properties",
    "docker": "Dockerfile",
    "pem": ".pem",
    "npmrc": ".npmrc",
}


def _pools(b: Build, copies: int) -> dict[str, list[Candidate]]:
    """Candidates by file style, ``copies`` of every positive and negative kind, shuffled."""
    pos, neg = positives(b), negatives(b)
    pools: dict[str, list[Candidate]] = {}
    for _ in range(copies):
        for label, kinds in ((1, pos), (0, neg)):
            for kind, fn in kinds:
                lines = fn(b)
                pools.setdefault(style_of(lines), []).append(Candidate(lines, label, kind))
    for pool in pools.values():
        b.rng.shuffle(pool)
    return pools


def _write_notebook(root: Path, b: Build, index: int, cand: Candidate) -> None:
    """A notebook holds one candidate in a code cell; the whole file is its region."""
    name = f"nb{index:03d}.ipynb"
    text = _notebook(cand.lines[0])
    (root / name).write_text(text, encoding="utf-8")
    b.rows.append((name, 1, text.count("\n") + 1, cand.label, cand.kind))


def _write_file(root: Path, b: Build, index: int, style: str, pool: list[Candidate]) -> None:
    """One file of ``style`` holding a few candidates between neutral lines."""
    name = _file_name(index, EXTENSIONS[style])
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    lines: list[str] = list(NEUTRAL[style][:3])
    per_file = 1 if style in ("pem", "npmrc") else b.rng.randrange(2, 6)
    for _ in range(per_file):
        if not pool:
            break
        cand = pool.pop()
        first = len(lines) + 1
        lines.extend(cand.lines)
        b.rows.append((name, first, len(lines), cand.label, cand.kind))
        if NEUTRAL[style]:
            lines.extend(b.rng.sample(NEUTRAL[style], k=min(2, len(NEUTRAL[style]))))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(root: Path = ROOT, seed: int = 2026, copies: int = 6) -> Path:
    """Write the evaluation files and labels under ``root``; return the labels path."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    b = Build(random.Random(seed))
    index = 0
    for style, pool in sorted(_pools(b, copies).items()):
        while pool:
            index += 1
            if style == "python" and index % 4 == 0:
                _write_notebook(root, b, index, pool.pop())
            else:
                _write_file(root, b, index, style, pool)
    labels = root.parent / "secrets-eval-labels.csv"
    with labels.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "first_line", "last_line", "label", "kind"])
        writer.writerows(b.rows)
    return labels


if __name__ == "__main__":
    out = build()
    rows = list(csv.DictReader(out.open()))
    print(
        f"{sum(r['label'] == '1' for r in rows)} positives, "
        f"{sum(r['label'] == '0' for r in rows)} hard negatives -> {out}",
        file=sys.stderr,
    )
