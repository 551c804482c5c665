"""The second development set (once held out, then tuned on; see RESULTS.md).

New syntaxes and languages (Go, JavaScript, Java, Terraform, GitHub Actions, Helm values, TOML,
SQL, R, requests/HTTPBasicAuth, docker/az/psql command lines) and new negatives (CI secret
expressions, vault tags, settings lookups, hashing calls). Same scoring as ``evaluate``.

Run: ``.venv/bin/python -m benchmarks.secrets.heldout``.
"""

from __future__ import annotations

import csv
import random
import shutil
import string
import uuid
from collections.abc import Callable
from pathlib import Path

from benchmarks.secrets.evaluate import report
from benchmarks.secrets.score import read_labels, score
from benchmarks.secrets.tools import available
from benchmarks.secrets.values import ALNUM, HEX, Build, aws_pair, github, jwt, password

ROOT = Path(__file__).resolve().parents[1] / ".work" / "secrets-dev-b"

Fill = Callable[[Build], dict[str, str]]
POSITIVE: list[tuple[str, str, str, Fill]] = [
    (
        "go-const",
        ".go",
        'const apiToken = "{hex40}"  // wandb',
        lambda b: {"hex40": b.r(ALNUM, 40)},
    ),
    (
        "go-aws",
        ".go",
        'creds := credentials.NewStaticCredentials("{akid}", "{sk}", "")',
        lambda b: dict(zip(("akid", "sk"), aws_pair(b), strict=True)),
    ),
    (
        "js-github",
        ".js",
        "const octokit = new Octokit({{ auth: '{gh}' }});",
        lambda b: {"gh": github(b)},
    ),
    (
        "js-db",
        ".js",
        "const pool = new Pool({{ connectionString: 'postgres://app:{pw}@db:5432/ml' }});",
        lambda b: {"pw": password(b)},
    ),
    (
        "java-password",
        ".java",
        'private static final String DB_PASSWORD = "{pw}";',
        lambda b: {"pw": password(b)},
    ),
    ("tf-password", ".tf", '  master_password = "{pw}"', lambda b: {"pw": password(b)}),
    (
        "tf-token",
        ".tf",
        '  token = "{hf}"',
        lambda b: {"hf": "hf_" + b.r(string.ascii_letters, 34)},
    ),
    ("gha-env", ".yml", "        HF_TOKEN: hf_{x}", lambda b: {"x": b.r(string.ascii_letters, 34)}),
    ("helm-values", ".yaml", "  adminPassword: {pw}", lambda b: {"pw": password(b)}),
    ("toml-token", ".toml", 'api_key = "{k}"', lambda b: {"k": b.r(ALNUM, 40)}),
    (
        "sql-user",
        ".sql",
        "CREATE USER ml_reader WITH PASSWORD '{pw}';",
        lambda b: {"pw": password(b)},
    ),
    (
        "r-key",
        ".r",
        'Sys.setenv(OPENAI_API_KEY = "sk-proj-{a}T3BlbkFJ{c}")',
        lambda b: {"a": b.r(ALNUM, 60), "c": b.r(ALNUM, 60)},
    ),
    (
        "requests-auth",
        ".py",
        'r = requests.get(url, auth=("svc-ml", "{pw}"))',
        lambda b: {"pw": password(b)},
    ),
    ("basic-auth", ".py", "auth = HTTPBasicAuth('tracker', '{pw}')", lambda b: {"pw": password(b)}),
    (
        "docker-login",
        ".sh",
        "docker login -u ci -p {pw} registry.acme.io",
        lambda b: {"pw": password(b)},
    ),
    (
        "az-login",
        ".sh",
        "az login --service-principal -u {u} -p {pw} --tenant acme.onmicrosoft.com",
        lambda b: {
            "u": str(uuid.UUID(int=b.rng.getrandbits(128))),
            "pw": b.r(ALNUM, 3) + "8Q~" + b.r(ALNUM + "_-.~", 31),
        },
    ),
    (
        "psql-env",
        ".sh",
        "PGPASSWORD={pw} psql -h db.internal -U ml -d experiments",
        lambda b: {"pw": password(b)},
    ),
    (
        "sftp-url",
        ".cfg",
        "remote = sftp://upload:{pw}@files.partner-cro.com/incoming",
        lambda b: {"pw": password(b)},
    ),
    (
        "jwt-cookie",
        ".log",
        "2026-10-03T08:00:00Z DEBUG cookie session={j}",
        lambda b: {"j": jwt(b)},
    ),
    (
        "gitlab-ci",
        ".yml",
        "    - git push https://oauth2:glpat-{x}@gitlab.acme.io/ml/ddp.git",
        lambda b: {"x": b.r(ALNUM, 20)},
    ),
    (
        "slack-js",
        ".js",
        "const slack = new WebClient('xoxb-{a}-{c}-{d}');",
        lambda b: {"a": b.r(string.digits, 11), "c": b.r(string.digits, 13), "d": b.r(ALNUM, 24)},
    ),
    (
        "env-secret-key",
        ".env",
        "DJANGO_SECRET_KEY={k}",
        lambda b: {"k": b.r(ALNUM + "!@#%^&*(-_=+)", 50)},
    ),
    ("yaml-client-secret", ".yaml", "  clientSecret: {k}", lambda b: {"k": b.r(ALNUM, 34)}),
    ("ini-token", ".ini", "token = {k}", lambda b: {"k": b.r(HEX, 40)}),
]
NEGATIVE: list[tuple[str, str, str, Fill]] = [
    ("gha-secret-expr", ".yml", "        HF_TOKEN: ${{{{ secrets.HF_TOKEN }}}}", lambda b: {}),
    ("vault-tag", ".yml", "  password: !vault |", lambda b: {}),
    ("settings-lookup", ".py", "api_key = settings.OPENAI_API_KEY", lambda b: {}),
    (
        "hashing",
        ".py",
        'key = hashlib.sha256(b"{x}").hexdigest()',
        lambda b: {"x": b.r(string.ascii_lowercase, 8)},
    ),
    ("tf-var", ".tf", "  master_password = var.db_password", lambda b: {}),
    ("go-getenv", ".go", 'token := os.Getenv("HF_TOKEN")', lambda b: {}),
    ("java-getenv", ".java", 'String pw = System.getenv("DB_PASSWORD");', lambda b: {}),
    ("xml-placeholder", ".xml", "  <password>${{db.password}}</password>", lambda b: {}),
    ("helm-ref", ".yaml", "  adminPassword: {{{{ .Values.global.adminPassword }}}}", lambda b: {}),
    (
        "sql-hash",
        ".sql",
        "INSERT INTO files (name, sha256) VALUES ('w.pt', '{h}');",
        lambda b: {"h": b.r(HEX, 64)},
    ),
    (
        "r-uuid",
        ".r",
        'run_id <- "{u}"',
        lambda b: {"u": str(uuid.UUID(int=b.rng.getrandbits(128)))},
    ),
    (
        "js-integrity",
        ".js",
        'script.integrity = "sha384-{x}";',
        lambda b: {"x": b.r(ALNUM + "+/", 64)},
    ),
    ("go-test-key", ".go", 'const testKey = "test-key-not-secret"', lambda b: {}),
    (
        "docker-login-stdin",
        ".sh",
        'echo "$CI_TOKEN" | docker login -u ci --password-stdin registry.acme.io',
        lambda b: {},
    ),
    ("psql-no-password", ".sh", "psql -h db.internal -U ml -d experiments", lambda b: {}),
    (
        "toml-version",
        ".toml",
        'version = "{v}"',
        lambda b: {"v": f"{b.rng.randrange(9)}.{b.rng.randrange(30)}.{b.rng.randrange(9)}"},
    ),
    ("ini-commit", ".ini", "commit = {h}", lambda b: {"h": b.r(HEX, 40)}),
    (
        "log-trace",
        ".log",
        "2026-10-03T08:00:01Z INFO span_id={h} trace_id={h}",
        lambda b: {"h": b.r(HEX, 32)},
    ),
    (
        "yaml-image-digest",
        ".yaml",
        "  image: ghcr.io/acme/ddp@sha256:{h}",
        lambda b: {"h": b.r(HEX, 64)},
    ),
    ("password-policy", ".yaml", "  passwordMinLength: 14", lambda b: {}),
]


def build(seed: int = 99, copies: int = 5) -> Path:
    shutil.rmtree(ROOT, ignore_errors=True)
    ROOT.mkdir(parents=True)
    b = Build(random.Random(seed))
    rows = []
    items = [(k, e, t, f, 1) for k, e, t, f in POSITIVE] + [
        (k, e, t, f, 0) for k, e, t, f in NEGATIVE
    ]
    n = 0
    for _ in range(copies):
        for kind, ext, template, fill, label in items:
            n += 1
            line = template.format(**fill(b))
            name = f"h{n:04d}{ext}" if ext != ".env" else f"d{n:04d}/.env"
            path = ROOT / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"# generated file {n}\n{line}\n# end\n", encoding="utf-8")
            rows.append((name, 2, 2, label, kind))
    labels = ROOT.parent / "secrets-dev-b-labels.csv"
    with labels.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "first_line", "last_line", "label", "kind"])
        writer.writerows(rows)
    return labels


def main() -> None:
    """Build the set, run every available tool, print the report."""
    regions = read_labels(build())
    scores = [score(tool(ROOT), regions) for tool in available()]
    positives = sum(r.label for r in regions)
    print(
        "\n".join(
            report(
                f"Second development set: {positives} secrets, "
                f"{len(regions) - positives} hard negatives",
                scores,
            )
        )
    )


if __name__ == "__main__":
    main()
