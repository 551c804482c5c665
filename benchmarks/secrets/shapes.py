"""Credential shapes by family, from providers' documented formats, with decoys of each shape.

A shape makes a real-shaped secret (right prefix, length, alphabet and checksum) and the
look-alikes a scanner must leave alone: the same shape with a wrong length or checksum, a
placeholder, an encrypted value under the same name. The generators are written from the
providers' documentation (cited per family), independently of the rule examples in
``src/labwarden/checks/secrets/data``.
"""

from __future__ import annotations

import base64
import json
import random
import string
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from benchmarks.secrets.values import crc62

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
LOWER_ALNUM = string.ascii_lowercase + string.digits
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

Gen = Callable[[random.Random], str]


@dataclass(frozen=True)
class Shape:
    """One credential family: variable names it is kept under, and how to make one."""

    family: str
    names: tuple[str, ...]
    make: Gen
    source: str
    mutations: tuple[str, ...] = ("placeholder", "encrypted")
    """Decoys of the same shape: ``short`` (wrong length: only for shapes of one documented
    length), ``checksum``, ``placeholder``, ``encrypted`` (SOPS), ``id`` (the same shape under a
    name that holds an identifier)."""
    id_names: tuple[str, ...] = field(default=())


def rs(rng: random.Random, alphabet: str, n: int) -> str:
    """``n`` random characters of ``alphabet``."""
    return "".join(rng.choice(alphabet) for _ in range(n))


def uuid4(rng: random.Random) -> str:
    """A random version-4 UUID."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def b64url_json(document: object) -> str:
    """Base64url of a JSON document, unpadded."""
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


def jwt(rng: random.Random) -> str:
    """A decodable HS256 or RS256 JWT."""
    header = {"alg": rng.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"}
    body = {"sub": rs(rng, HEX, 12), "iat": 1767225600, "exp": 1798761600, "role": "svc"}
    return f"{b64url_json(header)}.{b64url_json(body)}.{rs(rng, ALNUM + '-_', 43)}"


def _bech32_checksum(hrp: str, data: list[int]) -> list[int]:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data + [0] * 6
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= gen[i] if (top >> i) & 1 else 0
    check ^= 1
    return [(check >> 5 * (5 - i)) & 31 for i in range(6)]


def age_key(rng: random.Random) -> str:
    """An age X25519 identity (Bech32, HRP ``age-secret-key-``)."""
    data = [rng.randrange(32) for _ in range(52)]
    full = data + _bech32_checksum("age-secret-key-", data)
    return ("age-secret-key-1" + "".join(BECH32[d] for d in full)).upper()


def github(rng: random.Random, prefix: str = "ghp_") -> str:
    """A classic GitHub token with its CRC32."""
    body = rs(rng, ALNUM, 30)
    return prefix + body + crc62(body)


def npm(rng: random.Random) -> str:
    """An npm token with its CRC32."""
    body = rs(rng, ALNUM, 30)
    return "npm_" + body + crc62(body)


def onepassword(rng: random.Random) -> str:
    """A 1Password service-account token: ``ops_`` + base64url of the account JSON."""
    document = {
        "signInAddress": rng.choice(["my.1password.com", "acme-lab.1password.eu"]),
        "userAuth": {"method": "SRPg-4096", "alg": "PBES2g-HS256", "iterations": 650000},
        "email": rs(rng, LOWER_ALNUM, 13) + "@1passwordserviceaccounts.com",
        "srpX": rs(rng, HEX, 64),
        "muk": {"alg": "A256GCM", "k": rs(rng, ALNUM + "-_", 43), "kty": "oct", "kid": "mp"},
        "secretKey": "A3-" + "-".join(rs(rng, B32, n) for n in (6, 6, 5, 5, 5, 5)),
        "deviceUuid": rs(rng, LOWER_ALNUM, 26),
    }
    return "ops_" + b64url_json(document)


def fly(rng: random.Random) -> str:
    """A Fly.io macaroon token (``FlyV1 fm2_`` + base64)."""
    return "FlyV1 fm2_" + base64.b64encode(rng.randbytes(rng.randrange(300, 500))).decode()


def sas_url(rng: random.Random) -> str:
    """An Azure Blob SAS URL whose ``sig`` is a URL-encoded HMAC-SHA256."""
    sig = urllib.parse.quote(base64.b64encode(rng.randbytes(32)).decode(), safe="")
    account = rng.choice(["tox", "assays", "ckpt"]) + rs(rng, LOWER_ALNUM, 6)
    return (
        f"https://{account}.blob.core.windows.net/models/run-{rng.randrange(99)}.safetensors"
        f"?sp=r&st=2026-03-01T09:00:00Z&se=2026-09-01T17:00:00Z&spr=https&sv=2024-11-04"
        f"&sr=b&sig={sig}"
    )


def azure_conn(rng: random.Random) -> str:
    """An Azure Storage connection string with a 64-byte account key."""
    key = base64.b64encode(rng.randbytes(64)).decode()
    name = "lab" + rs(rng, LOWER_ALNUM, 8)
    return (
        f"DefaultEndpointsProtocol=https;AccountName={name};AccountKey={key};"
        "EndpointSuffix=core.windows.net"
    )


def pinecone(rng: random.Random) -> str:
    """A Pinecone key: ``pcsk_`` + key id + ``_`` + 63-character secret."""
    return f"pcsk_{rs(rng, ALNUM, rng.choice([5, 6]))}_{rs(rng, ALNUM, 63)}"


def ngc_legacy(rng: random.Random) -> str:
    """A legacy NGC key: base64 of ``<26 alphanumerics>:<UUID>``."""
    return base64.b64encode(f"{rs(rng, ALNUM, 26)}:{uuid4(rng)}".encode()).decode()


def password(rng: random.Random) -> str:
    """A human-chosen password of the kinds people set."""
    words = ["Heron", "Basalt", "Quokka", "Tundra", "Saffron", "Vireo", "Cobalt", "Lumen"]
    style = rng.randrange(3)
    if style == 0:
        return rng.choice(words) + rng.choice("!@#$%&") + str(rng.randrange(100, 99999))
    if style == 1:
        return rs(rng, ALNUM + "!#%^*-_", rng.randrange(14, 26))
    return f"{rng.choice(words)}.{rng.choice(words).lower()}.{rng.randrange(10, 99)}"


def _fixed(prefix: str, alphabet: str, n: int) -> Gen:
    return lambda rng: prefix + rs(rng, alphabet, n)


_SHAPES: tuple[Shape, ...] = (
    Shape(
        "aws",
        ("AWS_ACCESS_KEY_ID", "aws_access_key_id"),
        lambda r: "AKIA" + rs(r, B32, 16),
        "AWS IAM: access key IDs (AKIA + 16 base32)",
    ),
    Shape(
        "aws",
        ("AWS_SECRET_ACCESS_KEY", "aws_secret_access_key"),
        _fixed("", ALNUM + "+/", 40),
        "AWS IAM: secret access keys (40 characters)",
        ("short", "placeholder", "encrypted"),
    ),
    Shape(
        "azure",
        ("AZURE_STORAGE_CONNECTION_STRING", "storage_connection"),
        azure_conn,
        "Azure Storage: connection strings",
    ),
    Shape(
        "azure",
        ("MODEL_BLOB_URL", "blob_sas_url"),
        sas_url,
        "Azure Storage: service SAS URLs",
        ("placeholder",),
    ),
    Shape(
        "azure",
        ("AZURE_CLIENT_SECRET", "client_secret"),
        lambda r: rs(r, ALNUM, 3) + r.choice("78") + "Q~" + rs(r, ALNUM + "_~.-", 34),
        "Microsoft identity platform: client secrets",
    ),
    Shape(
        "gcp",
        ("GOOGLE_API_KEY", "GEMINI_API_KEY"),
        _fixed("AIza", ALNUM + "_-", 35),
        "Google Cloud: API keys",
    ),
    Shape(
        "gcp",
        ("GOOGLE_CLIENT_SECRET", "oauth_client_secret"),
        _fixed("GOCSPX-", ALNUM + "_-", 28),
        "Google Identity: OAuth client secrets (GOCSPX-)",
    ),
    Shape(
        "cloudflare",
        ("CLOUDFLARE_API_TOKEN", "CF_API_TOKEN"),
        _fixed("", ALNUM + "_-", 40),
        "Cloudflare: API tokens (40 characters)",
        ("short", "placeholder", "encrypted"),
    ),
    Shape(
        "cloudflare",
        ("CF_ORIGIN_CA_KEY", "origin_ca_key"),
        lambda r: f"v1.0-{rs(r, HEX, 24)}-{rs(r, HEX, 146)}",
        "Cloudflare: Origin CA keys",
    ),
    Shape(
        "flyio",
        ("FLY_API_TOKEN", "FLY_ACCESS_TOKEN"),
        fly,
        "Fly.io: FlyV1 macaroon tokens",
        ("placeholder", "encrypted"),
    ),
    Shape(
        "heroku",
        ("HEROKU_API_KEY", "heroku_api_key"),
        uuid4,
        "Heroku: API keys are UUIDs",
        ("placeholder", "encrypted", "id"),
        ("HEROKU_APP_ID",),
    ),
    Shape(
        "heroku", ("HEROKU_API_KEY",), _fixed("HRKU-AA", ALNUM + "_-", 58), "Heroku: HRKU- API keys"
    ),
    Shape(
        "vault",
        ("VAULT_TOKEN",),
        _fixed("hvs.CAESI", ALNUM + "_-", 91),
        "Vault: service tokens (hvs.)",
    ),
    Shape(
        "vault",
        ("VAULT_BATCH_TOKEN",),
        _fixed("hvb.AAAAAQ", ALNUM + "_-", 140),
        "Vault: batch tokens (hvb.)",
    ),
    Shape(
        "onepassword",
        ("OP_SERVICE_ACCOUNT_TOKEN",),
        onepassword,
        "1Password: service account tokens",
        ("placeholder", "encrypted"),
    ),
    Shape(
        "digitalocean",
        ("DIGITALOCEAN_ACCESS_TOKEN",),
        _fixed("dop_v1_", HEX, 64),
        "DigitalOcean: personal access tokens",
    ),
    Shape(
        "tailscale",
        ("TS_AUTHKEY",),
        lambda r: f"tskey-auth-{rs(r, ALNUM, 12)}CNTRL-{rs(r, ALNUM, 33)}",
        "Tailscale: auth keys",
    ),
    Shape(
        "huggingface",
        ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HUGGINGFACEHUB_API_TOKEN"),
        _fixed("hf_", string.ascii_letters, 34),
        "Hugging Face: user access tokens",
    ),
    Shape(
        "huggingface",
        ("HF_ORG_TOKEN",),
        _fixed("api_org_", string.ascii_letters, 34),
        "Hugging Face: organization API tokens",
    ),
    Shape(
        "openai",
        ("OPENAI_API_KEY",),
        lambda r: f"sk-proj-{rs(r, ALNUM + '_-', 74)}T3BlbkFJ{rs(r, ALNUM + '_-', 74)}",
        "OpenAI: project API keys",
    ),
    Shape(
        "anthropic",
        ("ANTHROPIC_API_KEY", "CLAUDE_API_KEY"),
        lambda r: f"sk-ant-api03-{rs(r, ALNUM + '_-', 93)}AA",
        "Anthropic: API keys (108 chars)",
    ),
    Shape("model-api", ("GROQ_API_KEY",), _fixed("gsk_", ALNUM, 52), "Groq: API keys"),
    Shape("model-api", ("PERPLEXITY_API_KEY",), _fixed("pplx-", ALNUM, 48), "Perplexity: API keys"),
    Shape("model-api", ("XAI_API_KEY",), _fixed("xai-", ALNUM, 80), "xAI: API keys"),
    Shape("model-api", ("OPENROUTER_API_KEY",), _fixed("sk-or-v1-", HEX, 64), "OpenRouter: keys"),
    Shape(
        "model-api",
        ("LANGCHAIN_API_KEY", "LANGSMITH_API_KEY"),
        lambda r: f"lsv2_pt_{rs(r, HEX, 32)}_{rs(r, HEX, 10)}",
        "LangSmith: API keys",
    ),
    Shape(
        "model-api",
        ("MISTRAL_API_KEY",),
        _fixed("", ALNUM, 32),
        "Mistral: API keys (32)",
        ("short", "placeholder", "encrypted"),
    ),
    Shape(
        "model-api",
        ("COHERE_API_KEY", "CO_API_KEY"),
        _fixed("", ALNUM, 40),
        "Cohere: API keys (40)",
        ("placeholder", "encrypted"),
    ),
    Shape("replicate", ("REPLICATE_API_TOKEN",), _fixed("r8_", ALNUM, 37), "Replicate: API tokens"),
    Shape("pinecone", ("PINECONE_API_KEY",), pinecone, "Pinecone: API keys (pcsk_)"),
    Shape(
        "ngc",
        ("NGC_API_KEY", "NVIDIA_API_KEY"),
        _fixed("nvapi-", ALNUM + "_-", 64),
        "NVIDIA NGC: nvapi- keys",
    ),
    Shape(
        "ngc",
        ("NGC_CLI_API_KEY",),
        ngc_legacy,
        "NVIDIA NGC: legacy keys (base64 key:UUID)",
        ("placeholder", "encrypted"),
    ),
    Shape("modal", ("MODAL_TOKEN_SECRET",), _fixed("as-", ALNUM, 22), "Modal: token secrets"),
    Shape("modal", ("MODAL_TOKEN_ID",), _fixed("ak-", ALNUM, 22), "Modal: token ids"),
    Shape(
        "wandb",
        ("WANDB_API_KEY",),
        _fixed("", HEX, 40),
        "W&B: API keys (40 hex)",
        ("short", "placeholder", "encrypted"),
    ),
    Shape(
        "wandb",
        ("WANDB_API_KEY",),
        lambda r: f"wandb_v1_{rs(r, ALNUM, 27)}_{rs(r, ALNUM, 49)}",
        "W&B: wandb_v1_ keys",
    ),
    Shape(
        "mlflow",
        ("MLFLOW_TRACKING_PASSWORD",),
        password,
        "MLflow: tracking password",
        ("placeholder", "encrypted"),
    ),
    Shape("kaggle", ("KAGGLE_KEY",), _fixed("", HEX, 32), "Kaggle: API keys (32 hex)"),
    Shape(
        "databricks",
        ("DATABRICKS_TOKEN",),
        _fixed("dapi", HEX, 32),
        "Databricks: personal access tokens",
    ),
    Shape(
        "github",
        ("GITHUB_TOKEN", "GH_TOKEN"),
        github,
        "GitHub: classic tokens with CRC32",
        ("checksum", "short", "placeholder", "encrypted"),
    ),
    Shape(
        "github",
        ("GITHUB_PAT",),
        lambda r: f"github_pat_{rs(r, ALNUM, 22)}_{rs(r, ALNUM, 59)}",
        "GitHub: fine-grained PATs",
    ),
    Shape(
        "gitlab",
        ("GITLAB_TOKEN", "CI_PUSH_TOKEN"),
        _fixed("glpat-", ALNUM + "_-", 20),
        "GitLab: personal access tokens",
    ),
    Shape(
        "npm",
        ("NPM_TOKEN",),
        npm,
        "npm: access tokens with CRC32",
        ("checksum", "placeholder", "encrypted"),
    ),
    Shape(
        "docker", ("DOCKERHUB_TOKEN",), _fixed("dckr_pat_", ALNUM + "_-", 27), "Docker Hub: PATs"
    ),
    Shape("sonarqube", ("SONAR_TOKEN",), _fixed("squ_", HEX, 40), "SonarQube: user tokens"),
    Shape(
        "snyk",
        ("SNYK_TOKEN",),
        uuid4,
        "Snyk: API tokens are UUIDs",
        ("placeholder", "encrypted", "id"),
        ("SNYK_ORG_ID",),
    ),
    Shape("sentry", ("SENTRY_AUTH_TOKEN",), _fixed("sntryu_", HEX, 64), "Sentry: user tokens"),
    Shape(
        "grafana",
        ("GRAFANA_SA_TOKEN",),
        lambda r: f"glsa_{rs(r, ALNUM, 32)}_{rs(r, HEX, 8)}",
        "Grafana: service-account tokens",
    ),
    Shape(
        "sumologic",
        ("SUMO_ACCESS_KEY", "SUMOLOGIC_ACCESS_KEY"),
        _fixed("", ALNUM, 64),
        "Sumo Logic: access keys (64)",
        ("placeholder", "encrypted"),
    ),
    Shape(
        "sidekiq",
        ("BUNDLE_ENTERPRISE__CONTRIBSYS__COM", "BUNDLE_GEMS__CONTRIBSYS__COM"),
        lambda r: f"{rs(r, HEX, 8)}:{rs(r, HEX, 8)}",
        "Sidekiq: gem-server credentials",
        ("placeholder", "encrypted"),
    ),
    Shape(
        "slack",
        ("SLACK_BOT_TOKEN",),
        lambda r: f"xoxb-{rs(r, '0123456789', 12)}-{rs(r, '0123456789', 13)}-{rs(r, ALNUM, 24)}",
        "Slack: bot tokens",
    ),
    Shape(
        "slack",
        ("SLACK_USER_TOKEN",),
        lambda r: (
            "xoxp-" + "-".join(rs(r, "0123456789", 12) for _ in range(3)) + "-" + rs(r, HEX, 32)
        ),
        "Slack: user tokens",
    ),
    Shape(
        "slack",
        ("SLACK_APP_TOKEN",),
        lambda r: f"xapp-1-A{rs(r, B32, 10)}-{rs(r, '0123456789', 13)}-{rs(r, HEX, 64)}",
        "Slack: app-level tokens",
    ),
    Shape(
        "slack",
        ("SLACK_WEBHOOK_URL",),
        lambda r: (
            f"https://hooks.slack.com/services/T{rs(r, B32, 8)}/B{rs(r, B32, 10)}/"
            f"{rs(r, ALNUM, 24)}"
        ),
        "Slack: incoming webhooks",
        ("placeholder",),
    ),
    Shape(
        "slack",
        ("SLACK_WORKFLOW_URL",),
        lambda r: (
            f"https://hooks.slack.com/triggers/T{rs(r, B32, 9)}/{rs(r, '0123456789', 13)}/"
            f"{rs(r, HEX, 32)}"
        ),
        "Slack: workflow webhook triggers",
        ("placeholder",),
    ),
    Shape("stripe", ("STRIPE_SECRET_KEY",), _fixed("sk_live_", ALNUM, 99), "Stripe: live keys"),
    Shape(
        "sendgrid",
        ("SENDGRID_API_KEY",),
        lambda r: f"SG.{rs(r, ALNUM + '_-', 22)}.{rs(r, ALNUM + '_-', 43)}",
        "SendGrid: API keys",
    ),
    Shape("twilio", ("TWILIO_API_KEY",), _fixed("SK", HEX, 32), "Twilio: API keys"),
    Shape(
        "age",
        ("SOPS_AGE_KEY",),
        age_key,
        "age: X25519 identities",
        ("checksum", "placeholder", "encrypted"),
    ),
    Shape(
        "jwt",
        ("SUPABASE_SERVICE_ROLE_KEY", "API_JWT"),
        jwt,
        "RFC 7519 JWTs",
        ("placeholder", "encrypted"),
    ),
    Shape(
        "generic",
        ("DB_PASSWORD", "POSTGRES_PASSWORD", "admin_password"),
        password,
        "hand-chosen passwords under password names",
        ("placeholder", "encrypted"),
    ),
    Shape(
        "generic",
        ("INTERNAL_API_KEY", "service_token", "signing_secret"),
        _fixed("", ALNUM, 36),
        "random API keys under key names",
        ("placeholder", "encrypted"),
    ),
)
_FIXED_LENGTH = frozenset(
    {
        "AWS IAM: access key IDs (AKIA + 16 base32)",
        "Google Cloud: API keys",
        "Google Identity: OAuth client secrets (GOCSPX-)",
        "Cloudflare: Origin CA keys",
        "Heroku: HRKU- API keys",
        "DigitalOcean: personal access tokens",
        "Hugging Face: user access tokens",
        "Hugging Face: organization API tokens",
        "Anthropic: API keys (108 chars)",
        "Groq: API keys",
        "Perplexity: API keys",
        "xAI: API keys",
        "OpenRouter: keys",
        "LangSmith: API keys",
        "Replicate: API tokens",
        "Pinecone: API keys (pcsk_)",
        "NVIDIA NGC: nvapi- keys",
        "Modal: token secrets",
        "Modal: token ids",
        "W&B: wandb_v1_ keys",
        "Kaggle: API keys (32 hex)",
        "Databricks: personal access tokens",
        "GitHub: fine-grained PATs",
        "SonarQube: user tokens",
        "Sentry: user tokens",
        "Grafana: service-account tokens",
        "SendGrid: API keys",
        "Twilio: API keys",
        "Slack: app-level tokens",
    }
)
SHAPES: tuple[Shape, ...] = tuple(
    replace(s, mutations=("short", *s.mutations))
    if s.source in _FIXED_LENGTH and "short" not in s.mutations
    else s
    for s in _SHAPES
)
"""Families labs keep credentials of, with the documentation each generator follows."""


def mutate(kind: str, value: str, rng: random.Random) -> str | None:
    """A look-alike of ``value``: same shape, but not a working credential."""
    if kind == "short":
        return value[:-3] if len(value) > 12 else None
    if kind == "checksum":
        last = value[-1]
        return value[:-1] + ("A" if last != "A" else "B")
    if kind == "placeholder":
        return rng.choice(
            [
                "<your-token-here>",
                "${" + rs(rng, string.ascii_uppercase, 6) + "_SECRET}",
                value[: min(8, len(value) // 3)] + "x" * max(8, len(value) - 8),
                "changeme",
                "{{ vault_secret }}",
            ]
        )
    if kind == "encrypted":
        data = base64.b64encode(rng.randbytes(max(8, len(value) * 3 // 4))).decode()
        iv = base64.b64encode(rng.randbytes(32)).decode()
        tag = base64.b64encode(rng.randbytes(16)).decode()
        return f"ENC[AES256_GCM,data:{data},iv:{iv},tag:{tag},type:str]"
    return None
