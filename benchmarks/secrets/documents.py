# ruff: noqa: E501  (generated file lines read best whole)
"""Whole files whose syntax carries the credential: command lines, manifests, settings files.

Each document is written in the ``dev`` or the ``heldout`` style (different layouts, option
spellings and neighbours) and labels its own regions: the lines holding a secret, and decoys of
the same syntax that hold none (a prompt instead of a password, a variable, an encrypted or
public value).
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.secrets.shapes import ALNUM, HEX, password, rs, uuid4


@dataclass
class Doc:
    """A file's name suffix, its lines, and labelled regions ``(first, last, label, family, kind)``."""

    name: str
    lines: list[str] = field(default_factory=list)
    regions: list[tuple[int, int, int, str, str]] = field(default_factory=list)

    def add(self, lines: list[str], label: int = 0, family: str = "", kind: str = "") -> None:
        """Append ``lines``; label them as a region when ``family`` is given."""
        first = len(self.lines) + 1
        self.lines.extend(lines)
        if family:
            self.regions.append((first, len(self.lines), label, family, kind))


DocMaker = Callable[[random.Random, str], Doc]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def command_lines(r: random.Random, style: str) -> Doc:
    """Shell scripts with credentials on command lines, and the same commands without."""
    doc = Doc(".sh", ["#!/usr/bin/env bash", "set -euo pipefail"])
    user, pw = r.choice(["deploy", "ci", "etl"]), password(r)
    held = style == "heldout"
    curl_u = f"curl --user={user}:{pw} -X POST" if held else f"curl -u {user}:{pw}"
    doc.add([f"{curl_u} https://registry.acme.io/api/v1/upload"], 1, "curl", "user:password")
    basic = _b64(f"{user}:{password(r)}")
    hdr = (
        f'curl -sS --header "Authorization: Basic {basic}"'
        if held
        else (f"curl -H 'Authorization: Basic {basic}'")
    )
    doc.add([f"{hdr} https://nexus.acme.io/service/rest/v1/assets"], 1, "http-header", "basic")
    token = rs(r, ALNUM, 40)
    doc.add(
        [f'curl -H "Authorization: Bearer {token}" https://api.acme.io/v2/models'],
        1,
        "http-header",
        "bearer",
    )
    my = (
        f"mysqldump --host=db.internal --user=backup --password={pw} trials"
        if held
        else (f"mysql -h db.internal -u root -p{pw} trials")
    )
    doc.add([my], 1, "cli-password", "mysql")
    ssh = (
        f"sshpass -p '{password(r)}' rsync -a ckpt/ gpu-02:/data"
        if held
        else (f"sshpass -p {password(r)} ssh deploy@gpu-02")
    )
    doc.add([ssh], 1, "cli-password", "sshpass")
    doc.add(['curl -u "$REG_USER:$REG_PASS" https://registry.acme.io'], 0, "curl", "variables")
    doc.add(["mysql -h db.internal -u root -p trials"], 0, "cli-password", "prompt")
    doc.add(["sshpass -e ssh deploy@gpu-02  # password from $SSHPASS"], 0, "cli-password", "env")
    doc.add(
        ['curl -H "Authorization: Bearer $(gcloud auth print-access-token)" https://x'],
        0,
        "http-header",
        "substitution",
    )
    return doc


def k8s_secret(r: random.Random, style: str) -> Doc:
    """A Kubernetes Secret with base64 ``data`` and clear ``stringData``."""
    doc = Doc(".yaml", ["apiVersion: v1", "kind: Secret", "metadata:", "  name: trainer-creds"])
    if style == "heldout":
        doc.add(["  namespace: ml-prod", "  labels:", "    app.kubernetes.io/name: trainer"])
    doc.add(["type: Opaque", "data:"])
    doc.add([f"  username: {_b64(r.choice(['trainer', 'svc-ml']))}"], 0, "kubernetes", "username")
    doc.add([f"  DB_PASSWORD: {_b64(password(r))}"], 1, "kubernetes", "data password")
    hf = "hf_" + rs(r, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 34)
    doc.add([f"  hf-token: {_b64(hf)}"], 1, "kubernetes", "data provider token")
    doc.add([f"  db-host: {_b64('postgres.ml-prod.svc.cluster.local')}"], 0, "kubernetes", "host")
    doc.add(["stringData:"])
    doc.add([f"  api-key: {rs(r, ALNUM, 36)}"], 1, "kubernetes", "stringData key")
    doc.add(["  region: eu-west-1"], 0, "kubernetes", "stringData plain")
    return doc


def k8s_template(r: random.Random, style: str) -> Doc:
    """A Helm template of a Secret: every value a template expression, none a secret."""
    doc = Doc(
        ".yaml", ["apiVersion: v1", "kind: Secret", "metadata:", "  name: {{ .Release.Name }}"]
    )
    doc.add(["data:"])
    doc.add(["  password: {{ .Values.db.password | b64enc | quote }}"], 0, "kubernetes", "helm")
    doc.add(['  token: {{ required "token" .Values.token | b64enc }}'], 0, "kubernetes", "helm")
    return doc


def nuget(r: random.Random, style: str) -> Doc:
    """nuget.config with a clear-text password and one read from the environment."""
    doc = Doc(".config", ['<?xml version="1.0" encoding="utf-8"?>', "<configuration>"])
    doc.add(["  <packageSourceCredentials>", "    <AcmeFeed>"])
    doc.add(['      <add key="Username" value="build" />'])
    doc.add(
        [f'      <add key="ClearTextPassword" value="{rs(r, ALNUM, 52)}" />'], 1, "nuget", "pat"
    )
    doc.add(["    </AcmeFeed>", "    <Other>"])
    doc.add(['      <add key="ClearTextPassword" value="%NUGET_FEED_PAT%" />'], 0, "nuget", "env")
    doc.add(["    </Other>", "  </packageSourceCredentials>", "</configuration>"])
    return doc


def maven(r: random.Random, style: str) -> Doc:
    """Maven settings.xml: a clear password, an encrypted one and an environment reference."""
    doc = Doc(".xml", ["<settings>", "  <servers>", "    <server>", "      <id>acme-releases</id>"])
    doc.add(["      <username>deploy</username>"])
    doc.add([f"      <password>{password(r)}</password>"], 1, "maven", "password")
    doc.add(["    </server>", "    <server>", "      <id>mirror</id>"])
    enc = "{" + base64.b64encode(r.randbytes(24)).decode() + "}"
    doc.add([f"      <password>{enc}</password>"], 0, "maven", "encrypted")
    doc.add(["    </server>", "    <server>"])
    doc.add(["      <password>${env.MAVEN_PASSWORD}</password>"], 0, "maven", "env")
    doc.add(["    </server>", "  </servers>", "</settings>"])
    return doc


def npmrc(r: random.Random, style: str) -> Doc:
    """An .npmrc with a scoped registry token, an _auth pair and an environment reference."""
    doc = Doc(
        ".npmrc",
        ["registry=https://registry.npmjs.org/", "@acme:registry=https://npm.pkg.github.com"],
    )
    doc.add([f"//npm.pkg.github.com/:_authToken={rs(r, ALNUM, 40)}"], 1, "npmrc", "authToken")
    doc.add(
        [f"//nexus.acme.io/repository/npm/:_auth={_b64('ci:' + password(r))}"], 1, "npmrc", "_auth"
    )
    doc.add(["//registry.npmjs.org/:_authToken=${NPM_TOKEN}"], 0, "npmrc", "env")
    return doc


def pypirc(r: random.Random, style: str) -> Doc:
    """A .pypirc with a private index password."""
    doc = Doc(".pypirc", ["[distutils]", "index-servers =", "    pypi", "    acme", "", "[acme]"])
    doc.add(["repository = https://pypi.acme.io/simple/", "username = uploader"])
    doc.add([f"password = {password(r)}"], 1, "pypirc", "password")
    return doc


def netrc(r: random.Random, style: str) -> Doc:
    """A .netrc, one entry per line (dev) or one token per line (heldout)."""
    doc = Doc(".netrc")
    token = rs(r, ALNUM, 32)
    if style == "heldout":
        doc.add(["machine gitlab.acme.io", "  login oauth2"])
        doc.add([f"  password {token}"], 1, "netrc", "password")
    else:
        doc.add([f"machine gitlab.acme.io login oauth2 password {token}"], 1, "netrc", "password")
    return doc


def git_credentials(r: random.Random, style: str) -> Doc:
    """A .git-credentials line with a token as the password."""
    doc = Doc(".git-credentials")
    doc.add(
        [f"https://oauth2:{rs(r, ALNUM + '_-', 26)}@gitlab.acme.io"], 1, "git-credentials", "url"
    )
    return doc


def docker_config(r: random.Random, style: str) -> Doc:
    """A Docker config.json with one auths entry and one credential-helper entry."""
    auth = _b64(f"robot$ci:{rs(r, ALNUM, 32)}")
    doc = Doc(".json", ["{", '  "auths": {', '    "registry.acme.io": {'])
    doc.add([f'      "auth": "{auth}"'], 1, "docker-config", "auth")
    doc.add(["    },", '    "ghcr.io": {}', "  },", '  "credsStore": "desktop"', "}"])
    return doc


def connection_strings(r: random.Random, style: str) -> Doc:
    """.NET appsettings.json and JDBC properties with passwords, and integrated security."""
    pw = password(r)
    if style == "heldout":
        doc = Doc(".json", ["{", '  "ConnectionStrings": {'])
        doc.add(
            [
                f'    "Trials": "Data Source=sql01.acme.io;Initial Catalog=trials;User Id=app;Password={pw};TrustServerCertificate=True",'
            ],
            1,
            "connection-string",
            ".net",
        )
        doc.add(
            [
                '    "Local": "Server=(localdb)\\\\mssqllocaldb;Database=dev;Trusted_Connection=True;"'
            ],
            0,
            "connection-string",
            "integrated",
        )
        doc.add(["  }", "}"])
        return doc
    doc = Doc(".properties", ["# datasource"])
    doc.add(
        [
            f"spring.datasource.url=jdbc:sqlserver://sql01.acme.io:1433;databaseName=trials;user=etl;password={pw};encrypt=true"
        ],
        1,
        "connection-string",
        "jdbc sqlserver",
    )
    doc.add(
        [
            f"analytics.url=jdbc:postgresql://pg.acme.io:5432/assays?user=reader&password={password(r)}"
        ],
        1,
        "connection-string",
        "jdbc query",
    )
    doc.add(
        [f"legacy.url=jdbc:oracle:thin:etl/{password(r)}@ora.acme.io:1521:ORCL"],
        1,
        "connection-string",
        "oracle",
    )
    doc.add(["spring.datasource.password=${DB_PASSWORD}"], 0, "connection-string", "env")
    return doc


def pgp_key(r: random.Random, style: str) -> Doc:
    """An armored PGP private key (with CRC-24) next to a public key block."""
    from benchmarks.secrets.keys import pgp_armor

    doc = Doc(".asc")
    private = pgp_armor(r, secret=True).splitlines()
    doc.add(private, 1, "pgp", "private key block")
    doc.add(["", *pgp_armor(r, secret=False).splitlines()], 0, "pgp", "public key block")
    return doc


def openssh_key(r: random.Random, style: str) -> Doc:
    """An OpenSSH private key file."""
    body = base64.b64encode(b"openssh-key-v1\x00\x00\x00\x00\x04none" + r.randbytes(380)).decode()
    lines = ["-----BEGIN OPENSSH PRIVATE KEY-----"]
    lines += [body[i : i + 70] for i in range(0, len(body), 70)]
    lines.append("-----END OPENSSH PRIVATE KEY-----")
    doc = Doc(".key")
    doc.add(lines, 1, "private-key", "openssh")
    return doc


def decoys(r: random.Random, style: str) -> Doc:
    """Things that look like secrets and are not, in one Python settings module."""
    doc = Doc(".py", ["# settings for the lab portal"])
    doc.add([f'REQUEST_ID = "{uuid4(r)}"'], 0, "decoy", "uuid id")
    doc.add([f'AZURE_TENANT_ID = "{uuid4(r)}"'], 0, "decoy", "uuid id")
    doc.add([f'CSRF_TOKEN = "{rs(r, ALNUM, 40)}"'], 0, "decoy", "csrf token")
    doc.add([f'csrfmiddlewaretoken = "{rs(r, ALNUM, 64)}"'], 0, "decoy", "csrf token")
    doc.add(['secret_name = "prod-hf-token"'], 0, "decoy", "resource name")
    doc.add(['KEY_VAULT_NAME = "kv-ml-prod-weu"'], 0, "decoy", "resource name")
    doc.add(
        ['__all__ = ["get_token", "refresh_token", "revoke_token", "token_expired"]'],
        0,
        "decoy",
        "function names",
    )
    doc.add(['token_type = "urn:ietf:params:oauth:token-type:jwt"'], 0, "decoy", "identifier")
    doc.add(['pad_token = "<|endoftext|>"'], 0, "decoy", "identifier")
    doc.add([f'checkpoint_sha256 = "{rs(r, HEX, 64)}"'], 0, "decoy", "digest")
    doc.add(
        [f'image = "registry.acme.io/lab/trainer@sha256:{rs(r, HEX, 64)}"'], 0, "decoy", "digest"
    )
    doc.add([f'revision = "{rs(r, HEX, 40)}"'], 0, "decoy", "git sha")
    pub = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + rs(r, ALNUM, 43) + " ci@lab"
    doc.add([f'DEPLOY_PUBLIC_KEY = "{pub}"'], 0, "decoy", "public key")
    doc.add(['api_key_header = "X-Api-Key"'], 0, "decoy", "identifier")
    doc.add([f'session_id = "{rs(r, HEX, 32)}"'], 0, "decoy", "id")
    doc.add(['password_reset_url = "https://portal.acme.io/reset"'], 0, "decoy", "url")
    if style == "heldout":
        doc.add(['TOKEN_ENDPOINT = "https://login.acme.io/oauth2/v2.0/token"'], 0, "decoy", "url")
        doc.add(
            ['credentials_path = "~/.config/gcloud/application_default_credentials.json"'],
            0,
            "decoy",
            "path",
        )
        doc.add(
            [f'webhook_secret_ref = "projects/ml/secrets/webhook/versions/{r.randrange(9)}"'],
            0,
            "decoy",
            "reference",
        )
    return doc


def lockfile(r: random.Random, style: str) -> Doc:
    """A package-lock.json fragment: integrity hashes and resolved URLs."""
    doc = Doc(
        "package-lock.json",
        ["{", '  "name": "portal",', '  "lockfileVersion": 3,', '  "packages": {'],
    )
    for name in ("axios", "jsonwebtoken", "dotenv"):
        sri = "sha512-" + base64.b64encode(r.randbytes(64)).decode()
        doc.add([f'    "node_modules/{name}": {{', f'      "version": "1.{r.randrange(9)}.0",'])
        doc.add([f'      "integrity": "{sri}",'], 0, "decoy", "lockfile integrity")
        doc.add(
            [f'      "resolved": "https://registry.npmjs.org/{name}/-/{name}-1.0.0.tgz"', "    },"]
        )
    doc.add(["  }", "}"])
    return doc


def encrypted(r: random.Random, style: str) -> Doc:
    """A SOPS-encrypted YAML file and Ansible Vault / sealed-secret values."""

    def enc(n: int) -> str:
        data = base64.b64encode(r.randbytes(n)).decode()
        iv = base64.b64encode(r.randbytes(32)).decode()
        tag = base64.b64encode(r.randbytes(16)).decode()
        return f"ENC[AES256_GCM,data:{data},iv:{iv},tag:{tag},type:str]"

    doc = Doc(".yaml", ["database:"])
    doc.add([f"  password: {enc(18)}"], 0, "decoy", "sops")
    doc.add([f"hf_token: {enc(37)}"], 0, "decoy", "sops")
    doc.add([f"api_key: {enc(30)}"], 0, "decoy", "sops")
    doc.add(
        ["sops:", "  age:", "    - recipient: age1" + rs(r, "qpzry9x8gf2tvdw0s3jn54khce6mua7l", 58)]
    )
    sealed = "AgB" + base64.b64encode(r.randbytes(300)).decode()
    doc.add(["  encryptedData:", f"    token: {sealed}"], 0, "decoy", "sealed secret")
    return doc


DOCUMENTS: tuple[DocMaker, ...] = (
    command_lines, k8s_secret, k8s_template, nuget, maven, npmrc, pypirc, netrc,
    git_credentials, docker_config, connection_strings, pgp_key, openssh_key, decoys,
    lockfile, encrypted,
)  # fmt: skip
