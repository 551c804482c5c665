"""The secret rules, as data: one entry per credential type.

Prefixed tokens run over the whole text (their literal prefix makes the search fast); rules
that need a key name next to the value are keyword-driven and run only on lines holding one.
"""

from __future__ import annotations

import re

from labwarden.checks.secrets import validators as v
from labwarden.checks.secrets.interface import Rule
from labwarden.core.values import Severity

CRIT, HIGH, MED, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

_END = r"(?![A-Za-z0-9_\-])"
_CRED_FILES = frozenset({"netrc", "pgpass", "pypirc", "git-credentials", "kubeconfig"})


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# Starts with the literal ``://`` so the search is fast; validators read the scheme before it.
_URL_CREDENTIALS = _re(
    r"://(?P<user>[^\s:/@\"'`]{0,64}):(?P<secret>[^\s:@/\"'`]{1,128})@(?P<host>[\w.\-\[\]]+)"
)


RULES: tuple[Rule, ...] = (
    Rule(
        "gcp-service-account",
        "GCP service-account key",
        CRIT,
        _re(r'(?P<secret>\{[^{}]*"type"\s*:\s*"service_account"[^{}]*\})'),
        ('"service_account"',),
        validator=v.gcp_service_account,
        remediation="Delete the key in IAM (Service accounts > Keys), create a new one if needed, "
        "and prefer workload identity over key files.",
    ),
    Rule(
        "private-key",
        "private key",
        CRIT,
        _re(
            r"(?P<secret>-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP |)PRIVATE KEY"
            r"(?: BLOCK)?-----[\s\S]{16,16384}?-----END [A-Z ]*PRIVATE KEY(?: BLOCK)?-----)"
        ),
        ("PRIVATE KEY-----",),
        validator=v.private_key,
        remediation="Replace the key pair, revoke the old public key wherever it is trusted, "
        "and keep private keys out of repositories and shared folders.",
    ),
    Rule(
        "aws-access-key-id",
        "AWS access key ID",
        HIGH,
        _re(r"(?P<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})" + _END),
        ("AKIA", "ASIA", "ABIA", "ACCA"),
        validator=v.aws_key_id,
        word_start=True,
        skip_formats=frozenset({"cloudtrail", "s3-access-log"}),
        remediation="Deactivate and delete the access key in IAM, review CloudTrail for its use, "
        "and use roles or the credential chain instead of keys in code.",
    ),
    Rule(
        "aws-secret-access-key",
        "AWS secret access key",
        CRIT,
        _re(
            r"(?i)aws[_\-. ]?secret[_\-. ]?(?:access[_\-. ]?)?key[\"'\]]?\s*(?::=|=>|=|:|,)\s*"
            r"[\"']?(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
        ),
        ("aws",),
        scope="line",
        validator=v.keyed_secret,
        remediation="Deactivate and delete the access key in IAM; review CloudTrail for its use.",
    ),
    Rule(
        "azure-storage-key",
        "Azure storage account key",
        CRIT,
        _re(r"AccountKey=(?P<secret>[A-Za-z0-9+/]{86}==)"),
        ("AccountKey=",),
        validator=v.azure_storage_key,
        remediation="Rotate the storage account key and move to SAS with expiry or Entra ID.",
    ),
    Rule(
        "azure-client-secret",
        "Azure (Entra ID) client secret",
        HIGH,
        _re(r"(?P<secret>[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.\-]{31,34})" + _END),
        ("Q~",),
        validator=v.random_token,
        word_start=True,
        remediation="Delete the client secret in the app registration and issue a new one.",
    ),
    Rule(
        "azure-sas-token",
        "Azure shared access signature",
        HIGH,
        _re(r"[?&]sv=\d{4}-\d\d-\d\d&[^\s\"'<>]*?sig=(?P<secret>[A-Za-z0-9%+/]{40,}={0,2})"),
        ("sig=",),
        validator=v.random_token,
    ),
    Rule(
        "gcp-api-key",
        "Google API key",
        HIGH,
        _re(r"(?P<secret>AIza[0-9A-Za-z_\-]{35})" + _END),
        ("AIza",),
        validator=v.random_token,
        word_start=True,
    ),
    Rule(
        "huggingface-token",
        "Hugging Face token",
        HIGH,
        _re(r"(?P<secret>(?:hf_|api_org_)[A-Za-z]{34})" + _END),
        ("hf_", "api_org_"),
        validator=v.letters_token,
        word_start=True,
        remediation="Invalidate the token at huggingface.co/settings/tokens; private models and "
        "datasets it could read must be treated as exposed.",
    ),
    Rule(
        "wandb-api-key",
        "Weights & Biases API key",
        HIGH,
        _re(
            r"(?i)(?:wandb_api_key|wandb\.login\(\s*key|wandb[_\-. ]?(?:api)?[_\-. ]?key|"
            r"machine api\.wandb\.ai\s+login \S+\s+password)[\"'\]]?\s*(?:=|:|\s)\s*[\"']?"
            r"(?P<secret>(?:local-)?[0-9a-f]{40})(?![0-9a-f])"
        ),
        ("wandb",),
        scope="line",
        validator=v.hex_key,
        remediation="Revoke the key at wandb.ai/authorize; read WANDB_API_KEY from a secret store.",
    ),
    Rule(
        "openai-api-key",
        "OpenAI API key",
        HIGH,
        _re(
            r"(?P<secret>sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_\-]{20,120}T3BlbkFJ"
            r"[A-Za-z0-9_\-]{20,120})" + _END
        ),
        ("T3BlbkFJ",),
        validator=v.random_token,
        word_start=True,
    ),
    Rule(
        "anthropic-api-key",
        "Anthropic API key",
        HIGH,
        _re(r"(?P<secret>sk-ant-(?:api|admin)\d\d-[A-Za-z0-9_\-]{80,120})" + _END),
        ("sk-ant-",),
        validator=v.random_token,
        word_start=True,
    ),
    Rule(
        "github-token",
        "GitHub token",
        HIGH,
        _re(r"(?P<secret>gh[pousr]_[A-Za-z0-9]{36})" + _END),
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        validator=v.github_token,
        word_start=True,
        remediation="Revoke the token in GitHub settings and review the audit log for its use.",
    ),
    Rule(
        "github-fine-grained-token",
        "GitHub fine-grained token",
        HIGH,
        _re(r"(?P<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})" + _END),
        ("github_pat_",),
        validator=v.github_fine_grained,
        word_start=True,
    ),
    Rule(
        "gitlab-token",
        "GitLab token",
        HIGH,
        _re(
            r"(?P<secret>(?:glpat|gldt|glrt|glptt|gloas|glcbt|glft)-[A-Za-z0-9_\-]{20,64}"
            r"(?:\.[0-9a-z]{2}\.[0-9a-z]{9})?)" + _END
        ),
        ("glpat-", "gldt-", "glrt-", "glptt-", "gloas-", "glcbt-", "glft-"),
        validator=v.random_token,
        word_start=True,
    ),
    Rule(
        "slack-token",
        "Slack token",
        HIGH,
        _re(r"(?P<secret>xox[abposr]-(?:\d{6,15}-){1,3}[A-Za-z0-9]{20,64})" + _END),
        ("xox",),
        validator=v.random_token,
        word_start=True,
    ),
    Rule(
        "slack-webhook",
        "Slack incoming webhook",
        MED,
        _re(
            r"https://hooks\.slack\.com/(?:services|workflows)/(?P<secret>T[A-Z0-9]{8,12}/"
            r"[AB][A-Z0-9]{8,12}/[A-Za-z0-9]{20,32})"
        ),
        ("hooks.slack.com",),
        validator=v.random_token,
    ),
    Rule(
        "databricks-token",
        "Databricks personal access token",
        HIGH,
        _re(r"(?P<secret>dapi[0-9a-f]{32}(?:-\d)?)" + _END),
        ("dapi",),
        validator=v.random_token,
        word_start=True,
    ),
    Rule(
        "npm-token",
        "npm access token",
        HIGH,
        _re(r"(?P<secret>npm_[A-Za-z0-9]{36})" + _END),
        ("npm_",),
        validator=v.github_token,
        word_start=True,
    ),
    Rule(
        "pypi-token",
        "PyPI upload token",
        HIGH,
        _re(r"(?P<secret>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})"),
        ("pypi-AgEI",),
        validator=v.pypi_token,
        word_start=True,
    ),
    Rule(
        "stripe-live-key",
        "Stripe live secret key",
        HIGH,
        _re(r"(?P<secret>(?:sk|rk)_live_[A-Za-z0-9]{24,99})" + _END),
        ("_live_",),
        validator=v.random_token,
        word_start=True,
    ),
    Rule(
        "sendgrid-key",
        "SendGrid API key",
        HIGH,
        _re(r"(?P<secret>SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})" + _END),
        ("SG.",),
        validator=v.random_token,
        word_start=True,
    ),
    Rule(
        "jwt",
        "JSON Web Token",
        MED,
        _re(r"(?P<secret>eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*)"),
        ("eyJ",),
        validator=v.jwt,
        word_start=True,
        remediation="Treat the token's session or key as exposed: revoke it or rotate the signing "
        "key, and do not log bearer tokens.",
    ),
    Rule(
        "bearer-token",
        "bearer or token authorization header",
        HIGH,
        _re(r"(?i)(?:bearer|token|authorization:\s*basic)\s+(?P<secret>[A-Za-z0-9_\-.=+/~]{16,})"),
        ("bearer", "authorization"),
        scope="line",
        validator=v.keyed_secret,
    ),
    Rule(
        "database-url-password",
        "database URL with password",
        HIGH,
        _URL_CREDENTIALS,
        ("://",),
        validator=v.database_url,
        remediation="Change the database password, restrict who can connect, and read the URL "
        "from a secret store or environment at run time.",
    ),
    Rule(
        "url-basic-auth",
        "URL with a password (MLflow tracking, registry or proxy)",
        HIGH,
        _URL_CREDENTIALS,
        ("://",),
        validator=v.web_url,
        remediation="Change the password; pass tracking and registry credentials through "
        "environment variables (MLFLOW_TRACKING_PASSWORD) from a secret store.",
    ),
    Rule(
        "cli-password",
        "password on a command line",
        HIGH,
        _re(
            r"(?:\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\n]*?\s-p|\bsshpass\s+-p\s*[\"']?)"
            r"(?P<secret>[^\s\-\"'][^\s\"']{2,})"
        ),
        ("mysql", "mariadb", "sshpass"),
        scope="line",
        validator=v.cli_password,
        remediation="Change the password; pass it through an option file or prompt, never argv.",
    ),
    Rule(
        "docker-login-password",
        "password given to docker, podman or helm login",
        HIGH,
        _re(
            r"\b(?:docker|podman|helm|nerdctl)\s+(?:registry\s+)?login\b[^\n]*?\s(?:-p|--password)"
            r"(?:\s+|=)[\"']?(?P<secret>[^\s\"']{3,})"
        ),
        ("login",),
        scope="line",
        validator=v.cli_password,
        remediation="Change the password; use --password-stdin or a credential helper.",
    ),
    Rule(
        "basic-auth-pair",
        "user and password pair passed to an HTTP client",
        HIGH,
        _re(
            r"(?:\bauth\s*=\s*\(|HTTPBasicAuth\(|BasicAuth\(|HTTPDigestAuth\()\s*[\"'][^\"'\n]{1,64}[\"']"
            r"\s*,\s*[\"'](?P<secret>[^\"'\n]{3,128})[\"']\s*\)"
        ),
        ("auth",),
        scope="line",
        validator=v.cli_password,
    ),
    Rule(
        "sql-password",
        "password in an SQL statement",
        HIGH,
        _re(
            r"(?i)\b(?:with\s+(?:encrypted\s+)?password\s*=?|identified\s+by)\s*"
            r"'(?P<secret>[^'\s]{4,128})'"
        ),
        ("password", "identified"),
        scope="line",
        validator=v.cli_password,
    ),
    Rule(
        "curl-basic-auth",
        "user:password given to curl or wget",
        HIGH,
        _re(
            r"\b(?:curl|wget|http)\b[^\n]*?\s(?:-u|--user|--http-user=?)\s*[\"']?"
            r"(?P<user>[^\s:\"']{1,64}):(?P<secret>[^\s\"']{3,128})"
        ),
        ("curl", "wget"),
        scope="line",
        validator=v.url_password,
    ),
    Rule(
        "mlflow-password",
        "MLflow tracking password",
        HIGH,
        _re(
            r"(?i)MLFLOW_TRACKING_(?:PASSWORD|TOKEN)[\"']?\s*(?:=|:)\s*[\"']?"
            r"(?P<secret>[^\s\"'`]{6,200})"
        ),
        ("mlflow_tracking_",),
        scope="line",
        validator=v.credential_file_value,
    ),
    Rule(
        "docker-auth",
        "Docker registry credentials",
        HIGH,
        _re(r"\"auth\"\s*:\s*\"(?P<secret>[A-Za-z0-9+/]{8,}={0,2})\""),
        ('"auth"',),
        validator=v.docker_auth,
    ),
    Rule(
        "credential-file-password",
        "password in a credentials file",
        HIGH,
        _re(
            r"(?i)(?:\bpassword\s+|(?:password|token|client-key-data|client-certificate-data|"
            r"api[-_]?key|secret)\s*[:=]\s*)(?P<secret>[^\s#]{3,})"
        ),
        ("password", "token", "client-key-data", "secret", "key"),
        scope="line",
        validator=v.credential_file_value,
        formats=_CRED_FILES,
    ),
    Rule(
        "pgpass-entry",
        "PostgreSQL password file entry",
        HIGH,
        _re(r"(?m)^[^:#\s]+:[^:\s]+:[^:\s]+:[^:\s]+:(?P<secret>\S+)$"),
        (":",),
        validator=v.credential_file_value,
        formats=frozenset({"pgpass"}),
    ),
)
"""Every rule with a fixed shape; the keyword-driven generic rule lives in :mod:`.generic`."""

RULES_BY_ID = {rule.id: rule for rule in RULES}
