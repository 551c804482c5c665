"""What a file is: magic bytes first, then the name; never a deserializer.

:func:`detect` reads at most :data:`HEAD_SIZE` bytes from the start of a file (and, for zip files,
the central directory) and returns its kind and format.
"""

from __future__ import annotations

import json
import re
import struct
import zipfile
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from labwarden.core import safejson
from labwarden.core.values import AssetKind

HEAD_SIZE = 64 * 1024

M, D, C, L, K = (
    AssetKind.MODEL,
    AssetKind.DATASET,
    AssetKind.CODE,
    AssetKind.LOG,
    AssetKind.CREDENTIALS,
)
DOC, ARC, OTH = AssetKind.DOCUMENT, AssetKind.ARCHIVE, AssetKind.OTHER


@dataclass(frozen=True, slots=True)
class Detection:
    """The result of format detection."""

    kind: AssetKind
    format: str
    by: str
    """``magic``, ``content`` or ``name``: what decided it."""
    properties: dict[str, Any] = field(default_factory=dict)


# Extension -> (kind, format), used when the bytes do not decide.
_BY_EXT: dict[str, tuple[AssetKind, str]] = {
    # models
    ".safetensors": (M, "safetensors"),
    ".gguf": (M, "gguf"),
    ".ggml": (M, "ggml"),
    ".onnx": (M, "onnx"),
    ".pt": (M, "pytorch"),
    ".pth": (M, "pytorch"),
    ".bin": (M, "pytorch"),
    ".ckpt": (M, "pytorch"),
    ".pkl": (M, "pickle"),
    ".pickle": (M, "pickle"),
    ".joblib": (M, "joblib"),
    ".dill": (M, "pickle"),
    ".npy": (M, "numpy-npy"),
    ".npz": (M, "numpy-npz"),
    ".keras": (M, "keras-v3"),
    ".h5": (M, "keras-h5"),
    ".skops": (M, "skops"),
    ".pb": (M, "tf-protobuf"),
    ".tflite": (M, "tflite"),
    ".mlmodel": (M, "coreml"),
    ".msgpack": (M, "flax-msgpack"),
    ".pmml": (M, "pmml"),
    # datasets
    ".csv": (D, "csv"),
    ".tsv": (D, "tsv"),
    ".parquet": (D, "parquet"),
    ".jsonl": (D, "jsonl"),
    ".ndjson": (D, "jsonl"),
    ".arrow": (D, "arrow"),
    ".feather": (D, "feather"),
    ".ipc": (D, "arrow"),
    ".orc": (D, "orc"),
    ".avro": (D, "avro"),
    ".hdf5": (D, "hdf5"),
    ".hdf": (D, "hdf5"),
    ".xlsx": (D, "excel"),
    ".xls": (D, "excel"),
    ".xpt": (D, "sas-xpt"),
    ".sas7bdat": (D, "sas7bdat"),
    ".sav": (D, "spss"),
    ".dta": (D, "stata"),
    ".tfrecord": (D, "tfrecord"),
    ".tfrecords": (D, "tfrecord"),
    ".db": (D, "sqlite"),
    ".sqlite": (D, "sqlite"),
    ".duckdb": (D, "duckdb"),
    # code and configuration
    ".py": (C, "python"),
    ".ipynb": (C, "notebook"),
    ".sh": (C, "shell"),
    ".bash": (C, "shell"),
    ".zsh": (C, "shell"),
    ".r": (C, "r"),
    ".jl": (C, "julia"),
    ".scala": (C, "scala"),
    ".java": (C, "java"),
    ".js": (C, "javascript"),
    ".ts": (C, "typescript"),
    ".go": (C, "go"),
    ".rs": (C, "rust"),
    ".c": (C, "c"),
    ".cc": (C, "cpp"),
    ".cpp": (C, "cpp"),
    ".h": (C, "c"),
    ".cu": (C, "cuda"),
    ".sql": (C, "sql"),
    ".sas": (C, "sas"),
    ".yaml": (C, "yaml"),
    ".yml": (C, "yaml"),
    ".toml": (C, "toml"),
    ".ini": (C, "ini"),
    ".cfg": (C, "ini"),
    ".conf": (C, "config"),
    ".json": (C, "json"),
    ".lock": (C, "lockfile"),
    ".mk": (C, "makefile"),
    ".tf": (C, "terraform"),
    ".nf": (C, "nextflow"),
    ".smk": (C, "snakemake"),
    # logs
    ".log": (L, "log-text"),
    ".evtx": (L, "evtx"),
    # documents
    ".md": (DOC, "markdown"),
    ".rst": (DOC, "restructuredtext"),
    ".txt": (DOC, "text"),
    ".pdf": (DOC, "pdf"),
    ".docx": (DOC, "docx"),
    ".doc": (DOC, "doc"),
    ".pptx": (DOC, "pptx"),
    ".html": (DOC, "html"),
    ".htm": (DOC, "html"),
    ".tex": (DOC, "latex"),
    # credentials
    ".pem": (K, "pem"),
    ".key": (K, "private-key"),
    ".p12": (K, "pkcs12"),
    ".pfx": (K, "pkcs12"),
    ".jks": (K, "java-keystore"),
    ".keytab": (K, "kerberos-keytab"),
    ".ppk": (K, "putty-key"),
    # archives
    ".zip": (ARC, "zip"),
    ".tar": (ARC, "tar"),
    ".tgz": (ARC, "tar-gzip"),
    ".gz": (ARC, "gzip"),
    ".bz2": (ARC, "bzip2"),
    ".xz": (ARC, "xz"),
    ".zst": (ARC, "zstd"),
    ".7z": (ARC, "7z"),
    ".rar": (ARC, "rar"),
    # other
    ".png": (OTH, "png"),
    ".jpg": (OTH, "jpeg"),
    ".jpeg": (OTH, "jpeg"),
    ".dcm": (D, "dicom"),
    ".nii": (D, "nifti"),
    ".fasta": (D, "fasta"),
    ".fastq": (D, "fastq"),
    ".sdf": (D, "sdf"),
    ".mol2": (D, "mol2"),
    ".pdb": (D, "pdb"),
}

# Exact file names (lower case) -> (kind, format).
_BY_NAME: dict[str, tuple[AssetKind, str]] = {
    ".env": (K, "dotenv"),
    ".netrc": (K, "netrc"),
    ".pgpass": (K, "pgpass"),
    ".pypirc": (K, "pypirc"),
    ".git-credentials": (K, "git-credentials"),
    ".htpasswd": (K, "htpasswd"),
    "id_rsa": (K, "ssh-private-key"),
    "id_dsa": (K, "ssh-private-key"),
    "id_ecdsa": (K, "ssh-private-key"),
    "id_ed25519": (K, "ssh-private-key"),
    "kubeconfig": (K, "kubeconfig"),
    "dockerfile": (C, "dockerfile"),
    "containerfile": (C, "dockerfile"),
    "makefile": (C, "makefile"),
    "requirements.txt": (C, "requirements"),
    "saved_model.pb": (M, "tf-savedmodel"),
    "saved_model.pbtxt": (M, "tf-savedmodel"),
    "auth.log": (L, "auth-log"),
    "secure": (L, "auth-log"),
    "syslog": (L, "syslog"),
    "messages": (L, "syslog"),
    "audit.log": (L, "auditd"),
    "access.log": (L, "http-access"),
    "error.log": (L, "log-text"),
}

_ROTATED_LOG = re.compile(r"^(?P<base>.+?\.log|auth\.log|syslog|secure|messages)(\.\d+)?(\.gz)?$")
_DOTENV = re.compile(r"^\.env(\.[\w.-]+)?$|^[\w.-]+\.env$")
_SYSLOG_LINE = re.compile(rb"^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d)")
_AUDIT_LINE = re.compile(rb"^type=[A-Z_]+ msg=audit\(")
_HTTP_LINE = re.compile(rb'^\S+ \S+ \S+ \[[^\]]+\] "[A-Z]+ ')
_S3_ACCESS_LINE = re.compile(rb"^[0-9a-f]{64} \S+ \[[^\]]+\] ")

_SAS7BDAT_MAGIC = bytes.fromhex("000000000000000000000000c2ea8160b31411cfbd92080009c7318c181f1011")
_TORCH_LEGACY_MAGIC = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19."


def extension(name: str) -> str:
    """The lower-case last suffix of ``name`` (``""`` when it has none)."""
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def by_name(name: str) -> tuple[AssetKind, str] | None:
    """Kind and format suggested by the file name alone."""
    low = name.lower()
    if low in _BY_NAME:
        return _BY_NAME[low]
    if _DOTENV.match(low):
        return K, "dotenv"
    if low.startswith(("service-account", "service_account")) and low.endswith(".json"):
        return K, "gcp-service-account"
    rotated = _ROTATED_LOG.match(low)
    if rotated and not low.endswith(".log") and low != rotated.group("base"):
        inner = by_name(rotated.group("base"))
        return (L, inner[1] if inner and inner[0] is L else "log-text")
    if low.endswith((".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst")):
        return ARC, "tar-" + low.rsplit(".", 1)[1]
    return _BY_EXT.get(extension(low))


def detect(name: str, handle: BinaryIO, size: int, parent: str = "") -> Detection:  # noqa: C901
    """Detect the kind and format of the file ``name`` whose bytes ``handle`` reads.

    ``parent`` is the name of the containing folder (``.aws`` and ``.kube`` hold credentials).
    """
    if size == 0:
        guess = by_name(name)
        return Detection(guess[0] if guess else OTH, "empty", "content")
    head = handle.read(HEAD_SIZE)
    found = _by_magic(name, head, handle, size)
    if found is not None:
        return found
    low = name.lower()
    if parent in (".aws", ".azure") and low in ("credentials", "config"):
        return Detection(K, "cloud-credentials", "name")
    if parent == ".kube" and low == "config":
        return Detection(K, "kubeconfig", "name")
    if parent == ".docker" and low == "config.json":
        return Detection(K, "docker-config", "name")
    text = _is_text(head)
    if text:
        found = _by_text(name, head)
        if found is not None:
            return found
    guess = by_name(name)
    if guess is not None:
        kind, fmt = guess
        if kind is M and fmt in ("pytorch", "pickle") and text:
            # A text file named .bin or .pkl is not a binary model.
            return Detection(OTH, "text", "content")
        return Detection(kind, fmt, "name")
    if text:
        return Detection(DOC, "text", "content")
    return Detection(OTH, "binary", "content")


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the head is still text.
        return exc.start >= len(head) - 4
    return True


def _by_magic(name: str, head: bytes, handle: BinaryIO, size: int) -> Detection | None:  # noqa: C901
    ext = extension(name)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(name, handle)
    if head.startswith(b"GGUF"):
        return Detection(M, "gguf", "magic")
    if head.startswith(b"\x93NUMPY"):
        return Detection(M, "numpy-npy", "magic")
    if head.startswith(b"PAR1"):
        return Detection(D, "parquet", "magic")
    if head.startswith(b"ARROW1"):
        return Detection(D, "arrow", "magic")
    if head.startswith(b"FEA1"):
        return Detection(D, "feather", "magic")
    if head.startswith(b"ORC"):
        return Detection(D, "orc", "magic")
    if head.startswith(b"Obj\x01"):
        return Detection(D, "avro", "magic")
    if head.startswith(b"SQLite format 3\x00"):
        return Detection(D, "sqlite", "magic")
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        if ext in (".h5", ".hdf5", ".keras") and (
            b"keras_version" in head or b"model_config" in head or b"model_weights" in head
        ):
            return Detection(M, "keras-h5", "magic")
        return Detection(D if ext not in (".h5",) else M, "hdf5", "magic")
    if head.startswith(b"HEADER RECORD*******LIB"):
        return Detection(D, "sas-xpt", "magic")
    if head.startswith(_SAS7BDAT_MAGIC):
        return Detection(D, "sas7bdat", "magic")
    if head.startswith(_TORCH_LEGACY_MAGIC):
        return Detection(M, "pytorch-legacy", "magic")
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        fmt = "joblib" if ext == ".joblib" else "pickle"
        return Detection(M, fmt, "magic")
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return Detection(M if ext in (".pt", ".pth", ".bin") else ARC, "7z", "magic")
    if head.startswith(b"\x1f\x8b"):
        guess = by_name(name)
        if guess is not None and guess[0] is L:
            return Detection(L, guess[1] + "+gzip", "magic")
        if name.lower().endswith((".tar.gz", ".tgz")):
            return Detection(ARC, "tar-gzip", "magic")
        if ext == ".joblib":
            return Detection(M, "joblib", "magic")
        if name.lower().endswith((".json.gz", ".jsonl.gz")) and "cloudtrail" in name.lower():
            return Detection(L, "cloudtrail+gzip", "magic")
        return Detection(ARC, "gzip", "magic")
    if head.startswith(b"BZh"):
        return Detection(ARC, "bzip2", "magic")
    if head.startswith(b"\xfd7zXZ\x00"):
        return Detection(ARC, "xz", "magic")
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return Detection(ARC, "zstd", "magic")
    if head.startswith(b"Rar!\x1a\x07"):
        return Detection(ARC, "rar", "magic")
    if len(head) > 262 and head[257:262] == b"ustar":
        return Detection(ARC, "tar", "magic")
    if head.startswith(b"%PDF"):
        return Detection(DOC, "pdf", "magic")
    if head.startswith(b"\x89PNG"):
        return Detection(OTH, "png", "magic")
    if head.startswith(b"\xff\xd8\xff"):
        return Detection(OTH, "jpeg", "magic")
    if head.startswith(b"\x7fELF"):
        return Detection(OTH, "elf", "magic")
    if head.startswith(b"TFL3", 4):
        return Detection(M, "tflite", "magic")
    if _looks_like_safetensors(head, size):
        return Detection(M, "safetensors", "magic")
    return None


def _looks_like_safetensors(head: bytes, size: int) -> bool:
    if len(head) < 10:
        return False
    (length,) = struct.unpack("<Q", head[:8])
    return 2 <= length <= size - 8 and head[8:9] == b"{" and head[9:10] in (b'"', b"}", b" ")


def _zip_kind(name: str, handle: BinaryIO) -> Detection:  # noqa: C901
    ext = extension(name)
    try:
        handle.seek(0)
        with zipfile.ZipFile(handle) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        return Detection(ARC, "zip", "magic", {"error": f"unreadable zip: {exc}"})
    base = {n.rsplit("/", 1)[-1] for n in names}
    props: dict[str, Any] = {"members": len(names)}
    if any(n.endswith("/constants.pkl") or n.startswith("code/") for n in names) and any(
        n.endswith("data.pkl") for n in names
    ):
        return Detection(M, "torchscript", "magic", props)
    if any(n.endswith("data.pkl") for n in names):
        return Detection(M, "pytorch-zip", "magic", props)
    if "config.json" in base and ("model.weights.h5" in base or "metadata.json" in base):
        return Detection(M, "keras-v3", "magic", props)
    if "schema.json" in names and ext == ".skops":
        return Detection(M, "skops", "magic", props)
    if names and all(n.endswith(".npy") for n in names):
        return Detection(M, "numpy-npz", "magic", props)
    if "[Content_Types].xml" in names:
        if any(n.startswith("xl/") for n in names):
            return Detection(D, "excel", "magic", props)
        if any(n.startswith("word/") for n in names):
            return Detection(DOC, "docx", "magic", props)
        if any(n.startswith("ppt/") for n in names):
            return Detection(DOC, "pptx", "magic", props)
    if ext in (".pt", ".pth", ".bin", ".ckpt"):
        return Detection(M, "pytorch-zip", "magic", props)
    return Detection(ARC, "zip", "magic", props)


def _by_text(name: str, head: bytes) -> Detection | None:  # noqa: C901
    low = name.lower()
    stripped = head.lstrip()
    if stripped.startswith(b"{") and b'"service_account"' in head and b'"private_key"' in head:
        return Detection(K, "gcp-service-account", "content")
    if b"-----BEGIN " in head and b"PRIVATE KEY-----" in head:
        fmt = "ssh-private-key" if b"OPENSSH PRIVATE KEY" in head else "pem-private-key"
        return Detection(K, fmt, "content")
    if stripped.startswith(b"{"):
        if stripped.startswith(b'{"Records"') or re.match(rb'\{\s*"Records"\s*:', stripped):
            return Detection(L, "cloudtrail", "content")
        if b'"type": "service_account"' in head and b'"private_key"' in head:
            return Detection(K, "gcp-service-account", "content")
    if low.endswith(".json") and stripped[:1] in (b"{", b"["):
        return _json_kind(stripped, len(head) == HEAD_SIZE)
    if low.endswith(".ipynb"):
        return Detection(C, "notebook", "name")
    is_yaml = low.endswith((".yaml", ".yml")) or low in ("config", "kubeconfig")
    if is_yaml and b"apiVersion:" in head and b"clusters:" in head and b"users:" in head:
        return Detection(K, "kubeconfig", "content")
    if re.match(rb"^\[(default|profile [^\]]+)\]\s*\n\s*aws_access_key_id\s*=", stripped):
        return Detection(K, "cloud-credentials", "content")
    if stripped.startswith(b"#!"):
        first = stripped.split(b"\n", 1)[0]
        if b"python" in first:
            return Detection(C, "python", "content")
        if any(shell in first for shell in (b"sh", b"bash", b"zsh")):
            return Detection(C, "shell", "content")
    guess = by_name(name)
    if guess is not None and guess[0] is not DOC and guess[0] is not OTH:
        return None  # the name is specific enough
    lines = head.splitlines()[:5]
    if lines and sum(1 for line in lines if _AUDIT_LINE.match(line)) >= max(1, len(lines) // 2):
        return Detection(L, "auditd", "content")
    if lines and sum(1 for line in lines if _S3_ACCESS_LINE.match(line)) >= max(1, len(lines) // 2):
        return Detection(L, "s3-access-log", "content")
    if lines and sum(1 for line in lines if _HTTP_LINE.match(line)) >= max(1, len(lines) // 2):
        return Detection(L, "http-access", "content")
    if (
        guess is None
        and len(lines) >= 2
        and sum(1 for line in lines if _SYSLOG_LINE.match(line)) >= len(lines) - 1
    ):
        return Detection(L, "log-text", "content")
    return None


def _json_kind(stripped: bytes, truncated: bool) -> Detection:
    """A JSON file is data when it is a list of records or too big to be a config."""
    try:
        sample = safejson.loads(stripped.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        records = re.match(rb"\[\s*\{", stripped) is not None
        return Detection(D if records or truncated else C, "json", "content")
    if isinstance(sample, dict):
        if sample.get("type") == "service_account" and "private_key" in sample:
            return Detection(K, "gcp-service-account", "content")
        if "Records" in sample and isinstance(sample["Records"], list):
            return Detection(L, "cloudtrail", "content")
    if isinstance(sample, list) and sample and all(isinstance(x, dict) for x in sample[:20]):
        return Detection(D, "json", "content")
    return Detection(C, "json", "name")
