"""Credentials recognised by the syntax they are written in, and the shapes that are not secrets."""

from __future__ import annotations

import base64
import random
import string

import pytest

from labwarden.checks.secrets.checksums import base62_crc32
from labwarden.checks.secrets.scanner import scan_text

RNG = random.Random(24)
ALNUM = string.ascii_letters + string.digits


def rand(alphabet: str, n: int) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def found(text: str, fmt: str = "", path: str = "") -> list[tuple[str, int]]:
    return [(h.rule.id, h.line) for h in scan_text(text, fmt, path=path)]


HF = "hf_" + rand(string.ascii_letters, 34)
PW = "Quokka!" + rand(ALNUM, 8)


def test_kubernetes_secret_data_is_decoded_and_judged() -> None:
    manifest = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: trainer\ntype: Opaque\ndata:\n"
        f"  username: {b64('svc-ml')}\n"
        f"  password: {b64(PW)}\n"
        f"  hf-token: {b64(HF)}\n"
        f"  host: {b64('db.internal')}\n"
        "stringData:\n"
        f"  api-key: {rand(ALNUM, 36)}\n"
        "  region: eu-west-1\n"
    )
    hits = scan_text(manifest, "yaml")
    assert [(h.rule.id, h.line) for h in hits] == [
        ("kubernetes-secret", 8),
        ("huggingface-token", 9),
        ("kubernetes-secret", 12),
    ]
    assert hits[1].value == HF  # the decoded token, reported where the encoded one is
    assert "base64-decoded" in hits[1].detail


def test_kubernetes_decoding_needs_a_secret_manifest() -> None:
    configmap = f"kind: ConfigMap\ndata:\n  password: {b64(PW)}\n"
    assert "kubernetes-secret" not in [rule for rule, _ in found(configmap, "yaml")]
    helm = "kind: Secret\ndata:\n  password: {{ .Values.pw | b64enc }}\n"
    assert found(helm, "yaml") == []


@pytest.mark.parametrize(
    "text",
    [
        "- name: HEROKU_API_KEY\n  value: 5c46b546-a0d3-4788-8264-c0e6ea648d31\n",
        f'{{"name": "DB_PASSWORD", "value": "{PW}"}}\n',
        f'[{{"name":"WANDB_API_KEY","value":"{rand("0123456789abcdef", 40)}"}}]\n',
        f'os.environ.setdefault("MISTRAL_API_KEY", "{rand(ALNUM, 32)}")\n',
        f'token = os.getenv("HF_TOKEN", "{HF}")\n',
        '    snyk_token: str = Field(default="5065c5b3-2cba-49f6-895e-f07f3f38350a")\n',
        f'gh secret set COHERE_API_KEY --body "{rand(ALNUM, 40)}"\n',
        f'POSTGRES_PASSWORD: Final[str] = "{PW}"\n',
        f"os.environ['SUMO_ACCESS_KEY'] = '{rand(ALNUM, 64)}'\n",
    ],
)
def test_names_written_apart_from_their_values(text: str) -> None:
    hits = scan_text(text, "yaml" if text.startswith("- name:") else "python")
    assert len(hits) == 1, hits
    assert text[hits[0].start : hits[0].end] in text
    assert hits[0].value in text


@pytest.mark.parametrize(
    ("text", "fmt", "rule"),
    [
        (f"curl --user deploy:{PW} https://registry.acme.io/api", "", "curl-basic-auth"),
        (f"curl -H 'Authorization: Basic {b64('ci:' + PW)}' https://x", "", "authorization-basic"),
        (f'curl -H "Authorization: Bearer {rand(ALNUM, 40)}" https://x', "", "bearer-token"),
        (f"mysqldump --host=db --user=backup --password={PW} trials", "", "cli-password"),
        (f"sshpass -p '{PW}' rsync -a ckpt/ gpu-02:/data", "", "cli-password"),
        (f'<add key="ClearTextPassword" value="{rand(ALNUM, 52)}" />', "xml", "nuget-password"),
        (f"    <password>{PW}</password>", "xml", "xml-password-element"),
        (f"//npm.pkg.github.com/:_authToken={rand(ALNUM, 40)}", "", "npmrc-auth-token"),
        (f"//nexus.acme.io/repository/npm/:_auth={b64('ci:' + PW)}", "", "npmrc-auth"),
        (
            f"machine gitlab.acme.io\n  login oauth2\n  password {rand(ALNUM, 30)}",
            "",
            "netrc-password",
        ),
        ('{"auths": {"r.acme.io": {"auth": "' + b64("robot:" + PW) + '"}}}', "json", "docker-auth"),
        (
            f"Server=sql01;Database=trials;User Id=app;Password={PW};",
            "",
            "connection-string-password",
        ),
        (f"jdbc:postgresql://pg:5432/assays?user=reader&password={PW}", "", "url-query-password"),
        (f"url=jdbc:oracle:thin:etl/{PW}@ora.acme.io:1521:ORCL", "", "jdbc-oracle-password"),
        (
            f"https://oauth2:{rand(ALNUM, 26)}@gitlab.acme.io",
            "git-credentials",
            "git-credentials-url",
        ),
    ],
)
def test_credential_syntaxes(text: str, fmt: str, rule: str) -> None:
    assert rule in [h.rule.id for h in scan_text(text + "\n", fmt)]


@pytest.mark.parametrize(
    ("text", "fmt", "path"),
    [
        ('"integrity": "sha512-' + b64(rand(ALNUM, 64)) + '",', "json", "app/package-lock.json"),
        (
            f'  "resolved": "https://registry.npmjs.org/x", "key": "{rand(ALNUM, 40)}"',
            "json",
            "yarn.lock",
        ),
        ("password: ENC[AES256_GCM,data:QmFzYWx0,iv:aXY=,tag:dGFn,type:str]", "yaml", ""),
        (
            "api_key: ENC[AES256_GCM,data:" + b64(rand(ALNUM, 30)) + ",iv:x,tag:y,type:str]",
            "yaml",
            "",
        ),
        ("db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6338", "yaml", ""),
        ("token: vault:v1:" + b64(rand(ALNUM, 40)), "yaml", ""),
        ('AZURE_TENANT_ID = "5c46b546-a0d3-4788-8264-c0e6ea648d31"', "python", ""),
        (f'CSRF_TOKEN = "{rand(ALNUM, 40)}"', "python", ""),
        (f'<input type="hidden" name="csrfmiddlewaretoken" value="{rand(ALNUM, 64)}">', "html", ""),
        ('secret_name = "prod-hf-token"', "python", ""),
        ('keyVaultName: "kv-ml-prod-weu"', "yaml", ""),
        ('__all__ = ["get_token", "refresh_token", "revoke_token"]', "python", ""),
        ('token_type = "urn:ietf:params:oauth:token-type:jwt"', "python", ""),
        ("recipient: age1" + rand("qpzry9x8gf2tvdw0s3jn54khce6mua7l", 58), "yaml", ""),
        ("sealed: AgB" + b64(rand(ALNUM, 300)), "yaml", ""),
    ],
)
def test_shapes_that_are_not_secrets(text: str, fmt: str, path: str) -> None:
    assert found(text + "\n", fmt, path) == []


def test_a_provider_shaped_value_failing_its_provider_is_no_generic_secret() -> None:
    body = rand(ALNUM, 30)
    good = "ghp_" + body + base62_crc32(body)
    bad = good[:-1] + ("A" if good[-1] != "A" else "B")
    assert found(f'GITHUB_TOKEN = "{good}"\n', "python") == [("github-token", 1)]
    assert found(f'GITHUB_TOKEN = "{bad}"\n', "python") == []
    assert found(f'api_key = "{bad}"\n', "python") == []  # a prefix says whose it is
    assert found(f"WANDB_API_KEY={rand('0123456789abcdef', 37)}\n", "dotenv") == []
    assert found(f"MISTRAL_API_KEY={rand(ALNUM, 29)}\n", "dotenv") == []
    assert found(f"MISTRAL_API_KEY={rand(ALNUM, 32)}\n", "dotenv") == [("mistral-api-key", 1)]


def test_lock_files_keep_url_credentials() -> None:
    line = f'  "resolved": "https://ci:{PW}@nexus.acme.io/repository/npm/x.tgz",\n'
    assert found(line, "json", "package-lock.json") == [("url-basic-auth", 1)]
