"""Sensitivity of resources nobody mapped, inferred with the policy that classifies files.

An access log names buckets, prefixes, object keys and cloud resources (ARNs) that the catalog
may never have scanned and that ``resources.toml`` may not list. Such a resource is classified
as if it were a file at that path: its kind from its name (extension, well-known names, the
words of its folders and bucket), then the workspace's sensitivity policy (kind defaults,
CDISC domain names, clinical-trial folders, pseudonymized names, public folders...). The result
carries the reason of the rule that decided it. Catalog assets and ``resources.toml`` entries
always take precedence (see :mod:`labwarden.watch.enrich`).

The inferred asset is named by the resource's bucket and top folder (``s3://b/sdtm/``), so
that reading a thousand shards of one prefix is one asset, not a thousand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from labwarden.core.asset import Asset, FileRecord
from labwarden.core.values import AssetKind
from labwarden.inventory import formats
from labwarden.inventory.policy import Policy

INFERRED = "inferred"
"""The ``asset_reason`` prefix of an inferred sensitivity."""

_WORD = re.compile(r"[a-z0-9]+")
_OBJECT = re.compile(r"^(?P<scheme>s3|gs|azure|abfss?|wasbs?)://(?P<bucket>[^/]+)/?(?P<key>.*)$")
_ARN = re.compile(r"^arn:[^:]*:(?P<service>[^:]*):[^:]*:[^:]*:(?P<resource>.*)$")

# Folder and bucket words that say what a resource holds, when its name has no known suffix.
_KIND_WORDS: tuple[tuple[AssetKind, frozenset[str]], ...] = (
    (
        AssetKind.CREDENTIALS,
        frozenset(
            [
                "credential",
                "credentials",
                "secret",
                "secrets",
                "password",
                "passwords",
                "passwd",
                "token",
                "tokens",
                "apikey",
                "apikeys",
                "privatekey",
                "ssh",
                "keys",
                "keystore",
                "vault",
            ]
        ),
    ),
    (
        AssetKind.MODEL,
        frozenset(
            [
                "model",
                "models",
                "checkpoint",
                "checkpoints",
                "ckpt",
                "weights",
                "lora",
                "adapters",
                "finetuned",
            ]
        ),
    ),
    (
        AssetKind.DATASET,
        frozenset(
            [
                "dataset",
                "datasets",
                "data",
                "sdtm",
                "adam",
                "crf",
                "trial",
                "trials",
                "clinical",
                "patients",
                "subjects",
                "cohort",
                "cohorts",
                "assays",
                "assay",
                "features",
                "training",
                "train",
                "corpus",
                "omics",
                "genomics",
            ]
        ),
    ),
    (AssetKind.LOG, frozenset(["log", "logs", "audit", "cloudtrail", "trail", "accesslogs"])),
    (
        AssetKind.CODE,
        frozenset(["code", "src", "repo", "repos", "source", "notebooks", "pipelines"]),
    ),
)
_SERVICE_KINDS = {
    "secretsmanager": AssetKind.CREDENTIALS,
    "kms": AssetKind.CREDENTIALS,
    "sagemaker": AssetKind.MODEL,
    "bedrock": AssetKind.MODEL,
    "cloudtrail": AssetKind.LOG,
    "logs": AssetKind.LOG,
}


@dataclass(frozen=True, slots=True)
class Inferred:
    """What the policy says about one resource."""

    name: str
    kind: str
    sensitivity: str
    reason: str


class Inferrer:
    """Classifies resource URIs with one policy (and remembers what it classified)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._seen: dict[str, Inferred | None] = {}

    def infer(self, uri: str | None) -> Inferred | None:
        """The inferred asset of ``uri`` (an object URI, a local path or an ARN), or ``None``
        for what is no resource (a user name, a URL path of an unknown service)."""
        if not uri:
            return None
        if uri not in self._seen:
            self._seen[uri] = self._infer(uri)
        return self._seen[uri]

    def _infer(self, uri: str) -> Inferred | None:
        place = _place(uri)
        if place is None:
            return None
        name, container, path, service_kind = place
        leaf = path.rstrip("/").rsplit("/", 1)[-1] if path else ""
        guess = formats.by_name(leaf) if leaf and not path.endswith("/") else None
        kind = service_kind or (guess[0] if guess else None) or _kind_of_words(container, path)
        files = [_record(f"/{container}/{path}", kind, guess[1] if guess else "unknown")]
        words = "/".join(_WORD.findall(container.lower()))
        if words and words != container.lower():
            # The bucket's words as folders, so that path rules see ``trial`` or ``sdtm`` in
            # ``acme-trial-sdtm`` as they would see a folder of that name.
            files.append(_record(f"/{words}/{path}", kind, guess[1] if guess else "unknown"))
        asset = Asset(uri=uri, name=leaf or container, kind=kind, files=files)
        level, reasons = self.policy.classify(asset)
        deciding = next((r for r in reasons[1:] if r.sensitivity == level), reasons[0])
        return Inferred(
            name=name,
            kind=kind.value,
            sensitivity=level.value,
            reason=f"{INFERRED} ({deciding.rule}): {deciding.reason}",
        )


def _record(path: str, kind: AssetKind, fmt: str) -> FileRecord:
    return FileRecord(path, 0, 0, 0, 0, 0, "", kind, fmt)


def _place(uri: str) -> tuple[str, str, str, AssetKind | None] | None:
    """``(asset name, container, path inside it, kind the service implies)`` of a resource."""
    found = _OBJECT.match(uri)
    if found:
        key = found["key"]
        top = key.split("/", 1)[0] + "/" if "/" in key else ""
        name = f"{found['scheme']}://{found['bucket']}/{top}"
        return name, found["bucket"], key, None
    arn = _ARN.match(uri)
    if arn:
        service, resource = arn["service"], arn["resource"]
        if "/" in resource:
            return (
                uri.rsplit("/", 1)[0] + "/",
                service,
                resource.split("/", 1)[1],
                (_SERVICE_KINDS.get(service)),
            )
        return uri, service, resource.rsplit(":", 1)[-1], _SERVICE_KINDS.get(service)
    if uri.startswith("/"):
        return uri.rsplit("/", 1)[0] + "/", "", uri.lstrip("/"), None
    return None


def _kind_of_words(container: str, path: str) -> AssetKind:
    words = set(_WORD.findall(f"{container}/{path.rsplit('/', 1)[0]}".lower()))
    for kind, vocabulary in _KIND_WORDS:
        if words & vocabulary:
            return kind
    return AssetKind.OTHER
