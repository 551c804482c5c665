# ruff: noqa: E501  (tables of generated test data read best one entry per line)
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
import struct
import sys
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / ".work" / "secrets-eval"
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass
class Candidate:
    """Lines to insert, whether they hold a secret, and what kind."""

    lines: list[str]
    label: int
    kind: str


@dataclass
class Build:
    rng: random.Random
    rows: list[tuple[str, int, int, int, str]] = field(default_factory=list)

    def r(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))


def crc62(body: str) -> str:
    n = zlib.crc32(body.encode())
    out = ""
    while n:
        n, d = divmod(n, 62)
        out = BASE62[d] + out
    return out.rjust(6, "0")


def b64u(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


# ---------------------------------------------------------------- secret values


def aws_pair(b: Build) -> tuple[str, str]:
    return "AKIA" + b.r(B32, 16), b.r(ALNUM + "+/", 40)


def github(b: Build) -> str:
    body = b.r(ALNUM, 30)
    return b.rng.choice(["ghp_", "gho_", "ghs_"]) + body + crc62(body)


def password(b: Build) -> str:
    words = ["Summer", "Winter", "Falcon", "Tr41n", "Kestrel", "Orion", "Lab", "Mango", "Pipeline"]
    style = b.rng.randrange(4)
    if style == 0:
        return b.rng.choice(words) + str(b.rng.randrange(10, 9999)) + b.rng.choice("!#$%&*?")
    if style == 1:
        return b.r(ALNUM + "!@#%^&*", b.rng.randrange(12, 24))
    if style == 2:
        w = b.rng.sample(words, 2)
        return f"{w[0]}-{w[1]}-{b.rng.randrange(100)}"
    return b.r(string.ascii_lowercase, 4) + b.r(string.digits, 3) + b.r(string.ascii_uppercase, 3)


def jwt(b: Build) -> str:
    header = {"alg": b.rng.choice(["HS256", "RS256"]), "typ": "JWT"}
    payload = {"sub": b.r(HEX, 12), "iat": 1760000000, "exp": 1790000000, "scope": "read:models"}
    return f"{b64u(header)}.{b64u(payload)}.{b.r(ALNUM + '-_', 43)}"


def rsa_pem(b: Build) -> list[str]:
    body = base64.b64encode(b"\x30\x82\x04\xa4\x02\x01\x00" + b.rng.randbytes(1190)).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return ["-----BEGIN RSA PRIVATE KEY-----", *lines, "-----END RSA PRIVATE KEY-----"]


def openssh_key(b: Build) -> list[str]:
    blob = b"openssh-key-v1\x00" + struct.pack(">I", 4) + b"none" + struct.pack(">I", 4)
    blob += b"none" + struct.pack(">I", 0) + struct.pack(">I", 1) + b.rng.randbytes(300)
    body = base64.b64encode(blob).decode()
    lines = [body[i : i + 70] for i in range(0, len(body), 70)]
    return ["-----BEGIN OPENSSH PRIVATE KEY-----", *lines, "-----END OPENSSH PRIVATE KEY-----"]


def _npm(b: Build) -> str:
    body = b.r(ALNUM, 30)
    return body + crc62(body)


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
            one("//registry.npmjs.org/:_authToken=npm_{v}")(_npm),
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


def negatives(b: Build) -> list[tuple[str, Callable[[Build], list[str]]]]:
    """Hard negatives: what looks like a secret and is not."""

    def one(fmt: str, fn: Callable[[Build], str] = lambda bb: "") -> Callable[[Build], list[str]]:
        return lambda bb: [fmt.format(v=fn(bb))]

    return [
        (
            "uuid-run-id",
            one('run_id = "{v}"', lambda bb: str(uuid.UUID(int=bb.rng.getrandbits(128)))),
        ),
        (
            "uuid-client-id",
            one('  "client_id": "{v}",', lambda bb: str(uuid.UUID(int=bb.rng.getrandbits(128)))),
        ),
        (
            "uuid-tenant",
            one("AZURE_TENANT_ID={v}", lambda bb: str(uuid.UUID(int=bb.rng.getrandbits(128)))),
        ),
        ("git-sha", one('commit = "{v}"', lambda bb: bb.r(HEX, 40))),
        (
            "hf-revision",
            one(
                'model = AutoModel.from_pretrained("acme/plm", revision="{v}")',
                lambda bb: bb.r(HEX, 40),
            ),
        ),
        ("sha256-manifest", one('  "sha256": "{v}",', lambda bb: bb.r(HEX, 64))),
        ("md5-manifest", one("md5: {v}", lambda bb: bb.r(HEX, 32))),
        ("pip-hash", one("torch==2.4.1 --hash=sha256:{v}", lambda bb: bb.r(HEX, 64))),
        ("docker-digest", one("FROM python:3.11-slim@sha256:{v}", lambda bb: bb.r(HEX, 64))),
        (
            "npm-integrity",
            one('      "integrity": "sha512-{v}==",', lambda bb: bb.r(ALNUM + "+/", 86)),
        ),
        ("etag", one('etag = "{v}"', lambda bb: bb.r(HEX, 32))),
        ("aws-doc-example", one('AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"')),
        ("aws-doc-secret", one("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")),
        (
            "jwt-io-example",
            one(
                'token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"'
            ),
        ),
        ("placeholder-angle", one('api_key = "<YOUR_API_KEY>"')),
        ("placeholder-your", one("WANDB_API_KEY=your-wandb-api-key")),
        ("placeholder-env-ref", one("    password: ${{DB_PASSWORD}}")),
        ("placeholder-getenv", one('token = os.environ["HF_TOKEN"]')),
        ("placeholder-getenv2", one('api_key = os.getenv("OPENAI_API_KEY")')),
        ("placeholder-changeme", one('password = "changeme"')),
        ("placeholder-replace", one('secret: "REPLACE_ME"')),
        ("placeholder-xxx", one('HF_TOKEN = "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"')),
        ("placeholder-dots", one("OPENAI_API_KEY=sk-...")),
        ("placeholder-template", one('password: "{{{{ vault_db_password }}}}"')),
        (
            "test-fixture-token",
            one('FAKE_TOKEN = "test-token-{v}"', lambda bb: bb.r(string.digits, 6)),
        ),
        ("test-fixture-dummy", one('api_key = "dummy-key-for-tests"')),
        ("test-fixture-aws", one('"AKIAFAKEFAKEFAKEFAKE"')),
        ("empty-password", one('  "password": "",')),
        ("password-prompt", one("password = getpass.getpass('Password: ')")),
        ("password-length", one("PASSWORD_MIN_LENGTH = 12")),
        ("password-field", one('PASSWORD_FIELD = "password"')),
        ("password-compare", one("if password != confirm_password:")),
        ("password-hash-algo", one('password_hasher = "argon2"')),
        ("secret-name", one('secret_name = "prod/ml/db-credentials"')),
        (
            "secret-arn",
            one(
                'secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ml-db-{v}"',
                lambda bb: bb.r(ALNUM, 6),
            ),
        ),
        ("tokenizer", one('tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")')),
        ("pad-token", one('tokenizer.pad_token = "<|endoftext|>"')),
        ("max-tokens", one("max_tokens: 4096")),
        ("token-ids", one("input_ids = tokenizer(text, return_tensors='pt')['input_ids']")),
        (
            "key-layer",
            one(
                'key = "model.layers.{v}.self_attn.k_proj.weight"',
                lambda bb: str(bb.rng.randrange(32)),
            ),
        ),
        ("key-column", one('sort_key = "compound_id"')),
        ("smiles", one('smiles = "{v}"', lambda bb: bb.r("CNOScnos1234()=#[]@+-", 40))),
        ("protein", one('sequence = "{v}"', lambda bb: bb.r("ACDEFGHIKLMNPQRSTVWY", 60))),
        (
            "wandb-run-id",
            one(
                'wandb.init(project="tox", id="{v}")',
                lambda bb: bb.r(string.ascii_lowercase + string.digits, 8),
            ),
        ),
        (
            "s3-path",
            one(
                'CHECKPOINT = "s3://acme-models-prod/docking/{v}/model.pt"',
                lambda bb: bb.r(HEX, 32),
            ),
        ),
        (
            "base64-image",
            one(
                '      "image/png": "iVBORw0KGgoAAAANSUhEUgAA{v}",',
                lambda bb: bb.r(ALNUM + "+/", 120),
            ),
        ),
        (
            "request-id-log",
            one("2026-10-02T10:00:01Z INFO request_id={v} status=200", lambda bb: bb.r(HEX, 32)),
        ),
        (
            "trace-id-log",
            one("2026-10-02T10:00:02Z INFO trace={v} span={v}", lambda bb: bb.r(HEX, 16)),
        ),
        (
            "public-key",
            one(
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{v} ci@gpu-node-3",
                lambda bb: bb.r(ALNUM + "+/", 43),
            ),
        ),
        (
            "certificate",
            lambda bb: [
                "-----BEGIN CERTIFICATE-----",
                *[bb.r(ALNUM + "+/", 64) for _ in range(6)],
                "-----END CERTIFICATE-----",
            ],
        ),
        (
            "public-pem",
            lambda bb: [
                "-----BEGIN PUBLIC KEY-----",
                *[bb.r(ALNUM + "+/", 64) for _ in range(4)],
                "-----END PUBLIC KEY-----",
            ],
        ),
        (
            "url-no-password",
            one('DATABASE_URL = "postgresql://ml_user@db.prod.internal:5432/experiments"'),
        ),
        ("url-local-default", one("url = 'postgresql://postgres:postgres@localhost:5432/test'")),
        ("url-user-pass-doc", one("# e.g. mysql://user:password@host/db")),
        ("version", one('__version__ = "2024.3.{v}"', lambda bb: str(bb.rng.randrange(10)))),
        ("hex-color", one('color = "#{v}"', lambda bb: bb.r(HEX, 6))),
        ("random-seed", one("seed: {v}", lambda bb: str(bb.rng.randrange(10**9)))),
        (
            "model-hash-name",
            one('weights = "tox-classifier-{v}.safetensors"', lambda bb: bb.r(HEX, 12)),
        ),
        ("auth-method", one('auth_type = "oauth2"')),
        (
            "credentials-path",
            one('GOOGLE_APPLICATION_CREDENTIALS = "/secrets/gcp/service-account.json"'),
        ),
        (
            "token-url",
            one(
                'token_url = "https://login.microsoftonline.com/{v}/oauth2/v2.0/token"',
                lambda bb: str(uuid.UUID(int=bb.rng.getrandbits(128))),
            ),
        ),
        ("cache-key", one('cache_key = f"{{dataset}}-{{split}}-{v}"', lambda bb: bb.r(HEX, 8))),
        ("keyring-call", one('password = keyring.get_password("mlflow", "tracker")')),
        ("vault-ref", one('db_password: "vault:secret/data/ml#password"')),
        ("k8s-secret-ref", one("          secretKeyRef: {{name: db-credentials, key: password}}")),
        (
            "lockfile-hash",
            one(
                '    {{file = "numpy-1.26.4.tar.gz", hash = "sha256:{v}"}},',
                lambda bb: bb.r(HEX, 64),
            ),
        ),
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
