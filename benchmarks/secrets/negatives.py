# ruff: noqa: E501  (tables of generated test data read best one entry per line)
"""The hard negatives of the secrets evaluation set: what looks like a secret and is not."""

from __future__ import annotations

import string
import uuid
from collections.abc import Callable

from benchmarks.secrets.values import ALNUM, HEX, Build


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
