"""Each rule finds its secret and leaves the look-alikes alone."""

from __future__ import annotations

import base64
import json
import random
import string

import pytest

from labwarden.checks.secrets.scanner import scan_text
from labwarden.checks.secrets.validators import base62_crc32

RNG = random.Random(7)
ALNUM = string.ascii_letters + string.digits


def rand(alphabet: str, n: int) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


def github_token() -> str:
    body = rand(ALNUM, 30)
    return "ghp_" + body + base62_crc32(body)


def b64url(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def rules(text: str, fmt: str = "python") -> list[str]:
    return [h.rule.id for h in scan_text(text, fmt)]


AWS_ID = "AKIA" + rand("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
AWS_SECRET = rand(ALNUM + "+/", 40)
AZURE_KEY = base64.b64encode(RNG.randbytes(64)).decode()
JWT = b64url({"alg": "HS256", "typ": "JWT"}) + "." + b64url({"sub": "ci", "exp": 1900000000})
JWT += "." + rand(ALNUM + "-_", 43)

POSITIVES = [
    (f'AWS_ACCESS_KEY_ID = "{AWS_ID}"', "aws-access-key-id"),
    (f'aws_secret_access_key = "{AWS_SECRET}"', "aws-secret-access-key"),
    (f'token = "{github_token()}"', "github-token"),
    (f'HF_TOKEN = "hf_{rand(string.ascii_letters, 34)}"', "huggingface-token"),
    (f"WANDB_API_KEY={rand('0123456789abcdef', 40)}", "wandb-api-key"),
    (f'wandb.login(key="{rand("0123456789abcdef", 40)}")', "wandb-api-key"),
    (
        f'client = OpenAI(api_key="sk-proj-{rand(ALNUM, 40)}T3BlbkFJ{rand(ALNUM, 40)}")',
        "openai-api-key",
    ),
    (f"GITLAB_TOKEN: glpat-{rand(ALNUM, 20)}", "gitlab-token"),
    (
        f"SLACK = 'xoxb-{rand('0123456789', 12)}-{rand('0123456789', 12)}-{rand(ALNUM, 24)}'",
        "slack-token",
    ),
    (f'host_token = "dapi{rand("0123456789abcdef", 32)}"', "databricks-token"),
    (f'MLFLOW_TRACKING_URI="https://mlflow:{rand(ALNUM, 14)}@mlflow.acme.io"', "url-basic-auth"),
    ("DATABASE_URL=postgresql://ddp:Tr41n-Pipeline!@db.internal:5432/x", "database-url-password"),
    (f"Authorization: Bearer {JWT}", "jwt"),
    (
        f"conn = 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey={AZURE_KEY}'",
        "azure-storage-key",
    ),
    (f'api_key = "{rand(ALNUM, 32)}"', "generic-secret"),
    ('db_password = "Tr41n-Pipeline!"', "generic-password"),
    ("docker login -u ci -p Tr41n-Pipeline! registry.acme.io", "docker-login-password"),
    ('r = requests.get(url, auth=("svc-ml", "Tr41n-Pipeline!"))', "basic-auth-pair"),
    ("CREATE USER ml WITH PASSWORD 'Tr41n-Pipeline!';", "sql-password"),
    ("mysql -h db -u root -pTr41n-Pipeline! warehouse", "cli-password"),
    ("curl -u deploy:Tr41n-Pipeline! https://registry.acme.io/v2/", "curl-basic-auth"),
    ("CELERY_BROKER_URL=redis://:Tr41n-Pipeline!@redis.internal:6379/0", "database-url-password"),
    (f'"client_secret": "{rand(ALNUM + "_-", 36)}"', "generic-secret"),
]


@pytest.mark.parametrize(("line", "rule"), POSITIVES)
def test_rule_finds_its_secret(line: str, rule: str) -> None:
    assert rules(line) == [rule]


NEGATIVES = [
    'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"',
    'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
    'token = "ghp_' + "a" * 36 + '"',  # checksum does not match
    'request_id = "550e8400-e29b-41d4-a716-446655440000"',
    'sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"',
    'commit = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"',
    'password = "changeme"',
    'password = "${DB_PASSWORD}"',
    'password = os.environ["DB_PASSWORD"]',
    "api_key = get_api_key()",
    'tokenizer_name = "bert-base-uncased-finetuned"',
    'pad_token = "<pad>"',
    'max_tokens = "4096"',
    'key = "model.layers.0.self_attn.q_proj.weight"',
    'secret_name = "prod-db-credentials"',
    'api_key = "your-api-key-here"',
    'API_KEY = "test-api-key-1234567890"',
    "url = 'postgresql://user:password@localhost:5432/db'",
    "url = 'postgresql://${PGUSER}:${PGPASSWORD}@db/x'",
    'jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9l'
    'IiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"',
    "smiles = 'CC(=O)Oc1ccccc1C(=O)O'",
    'password_field = "Tr41n-Pipeline!"',
    "if password == 'hunter22!':",
    'echo "$CI_TOKEN" | docker login -u ci --password-stdin registry.acme.io',
    'basic = flight.BasicAuth("username1", "password1")',
    '"""Load a library identified by \'name\'."""',
    "  password: !vault |",
    "        HF_TOKEN: ${{ secrets.HF_TOKEN }}",
    "mhu = MultiHostUrl('https://foo.com:123,foo:bar@bar.com/path')",
]


@pytest.mark.parametrize("line", NEGATIVES)
def test_look_alikes_are_not_secrets(line: str) -> None:
    assert rules(line) == []


def test_line_numbers_and_allow_comment() -> None:
    text = (
        "import os\n\n"
        f'KEY = "{AWS_ID}"\n'
        f'OTHER = "{github_token()}"  # labwarden:allow rotated test token\n'
        f"x = 1\ntoken = '{github_token()}'\n"
    )
    hits = scan_text(text, "python")
    assert [(h.rule.id, h.line) for h in hits] == [("aws-access-key-id", 3), ("github-token", 6)]


def test_private_key_unencrypted_and_encrypted() -> None:
    body = base64.b64encode(RNG.randbytes(400)).decode()
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    plain = f"-----BEGIN RSA PRIVATE KEY-----\n{lines}\n-----END RSA PRIVATE KEY-----\n"
    [hit] = scan_text(plain, "pem-private-key")
    assert hit.rule.id == "private-key"
    assert hit.effective_severity.value == "critical"
    encrypted = (
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00FF\n\n"
        f"{lines}\n-----END RSA PRIVATE KEY-----\n"
    )
    [hit] = scan_text(encrypted, "pem-private-key")
    assert hit.effective_severity.value == "medium"
    assert "passphrase" in hit.detail
    placeholder = "-----BEGIN PRIVATE KEY-----\nMIIE...demo...\n-----END PRIVATE KEY-----\n"
    assert scan_text(placeholder, "text") == []


def test_gcp_service_account_structure() -> None:
    document = {
        "type": "service_account",
        "project_id": "p",
        "private_key_id": rand("0123456789abcdef", 40),
        "private_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
        "client_email": "x@p.iam.gserviceaccount.com",
    }
    assert rules(json.dumps(document, indent=2), "json") == ["gcp-service-account"]
    document["private_key_id"] = "not-hex"
    assert rules(json.dumps(document, indent=2), "json") == []


def test_unquoted_values_only_count_outside_code() -> None:
    line = f"api_token={rand(ALNUM, 32)}\n"
    assert rules(line, "dotenv") == ["generic-secret"]
    assert rules(line, "python") == []


def test_credential_file_rules_depend_on_format() -> None:
    netrc = "machine api.example.net login ci password s3cr3t-Value\n"
    assert rules(netrc, "netrc") == ["netrc-password"]  # the entry's syntax, in any file
    assert rules(netrc, "text") == ["netrc-password"]
    assert rules("  password s3cr3t-Value\n", "netrc") == ["credential-file-password"]
    assert rules("  password s3cr3t-Value\n", "text") == []
    assert rules("user: {token: demo-token-x}\n", "kubeconfig") == ["credential-file-password"]
