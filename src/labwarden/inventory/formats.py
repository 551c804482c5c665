"""What a file is: magic bytes first, then the name; never a deserializer.

:func:`detect` reads at most :data:`HEAD_SIZE` bytes from the start of a file (and, for zip files,
the central directory) and returns its kind and format.
"""

from __future__ import annotations

import json
import re
import struct
import zipfile
from collections.abc import Callable
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
TORCH_LEGACY_MAGIC = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19."
"""How a legacy (pre-zip) ``torch.save`` file starts: protocol 2, then the magic number
0x1950a86a20f9469cfc6c as a LONG1 (the model-file check should read it from here)."""


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


def detect(name: str, handle: BinaryIO, size: int, parent: str = "") -> Detection:
    """Detect the kind and format of the file ``name`` whose bytes ``handle`` reads.

    ``parent`` is the name of the containing folder (``.aws`` and ``.kube`` hold credentials).
    """
    if size == 0:
        guess = by_name(name)
        return Detection(guess[0] if guess else OTH, "empty", "content")
    head = handle.read(HEAD_SIZE)
    found = _by_magic(name, head, handle, size) or _by_folder(name, parent)
    if found is not None:
        return found
    text = _is_text(head)
    found = _by_text(name, head) if text else None
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


_IN_FOLDER = {
    (".aws", "credentials"): "cloud-credentials",
    (".aws", "config"): "cloud-credentials",
    (".azure", "credentials"): "cloud-credentials",
    (".azure", "config"): "cloud-credentials",
    (".kube", "config"): "kubeconfig",
    (".docker", "config.json"): "docker-config",
}
"""Credential files known by their folder and name."""


def _by_folder(name: str, parent: str) -> Detection | None:
    fmt = _IN_FOLDER.get((parent, name.lower()))
    return Detection(K, fmt, "name") if fmt is not None else None


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the head is still text.
        return exc.start >= len(head) - 4
    return True


_Magic = Callable[[str, bytes, BinaryIO, int], "Detection | None"]


def _prefixes(*table: tuple[bytes, AssetKind, str]) -> _Magic:
    """A rule for formats told by a fixed prefix alone."""

    def rule(_name: str, head: bytes, _handle: BinaryIO, _size: int) -> Detection | None:
        for prefix, kind, fmt in table:
            if head.startswith(prefix):
                return Detection(kind, fmt, "magic")
        return None

    return rule


def _zip(name: str, head: bytes, handle: BinaryIO, _size: int) -> Detection | None:
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(name, handle)
    return None


def _hdf5(name: str, head: bytes, _handle: BinaryIO, _size: int) -> Detection | None:
    if not head.startswith(b"\x89HDF\r\n\x1a\n"):
        return None
    ext = extension(name)
    keras = b"keras_version" in head or b"model_config" in head or b"model_weights" in head
    if ext in (".h5", ".hdf5", ".keras") and keras:
        return Detection(M, "keras-h5", "magic")
    return Detection(D if ext not in (".h5",) else M, "hdf5", "magic")


def _pickle(name: str, head: bytes, _handle: BinaryIO, _size: int) -> Detection | None:
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return Detection(M, "joblib" if extension(name) == ".joblib" else "pickle", "magic")
    return None


def _sevenzip(name: str, head: bytes, _handle: BinaryIO, _size: int) -> Detection | None:
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return Detection(M if extension(name) in (".pt", ".pth", ".bin") else ARC, "7z", "magic")
    return None


def _gzip(name: str, head: bytes, _handle: BinaryIO, _size: int) -> Detection | None:
    if not head.startswith(b"\x1f\x8b"):
        return None
    low = name.lower()
    guess = by_name(name)
    if guess is not None and guess[0] is L:
        return Detection(L, guess[1] + "+gzip", "magic")
    if low.endswith((".tar.gz", ".tgz")):
        return Detection(ARC, "tar-gzip", "magic")
    if extension(name) == ".joblib":
        return Detection(M, "joblib", "magic")
    if low.endswith((".json.gz", ".jsonl.gz")) and "cloudtrail" in low:
        return Detection(L, "cloudtrail+gzip", "magic")
    return Detection(ARC, "gzip", "magic")


def _tar(_name: str, head: bytes, _handle: BinaryIO, _size: int) -> Detection | None:
    return Detection(ARC, "tar", "magic") if len(head) > 262 and head[257:262] == b"ustar" else None


def _tflite(_name: str, head: bytes, _handle: BinaryIO, _size: int) -> Detection | None:
    return Detection(M, "tflite", "magic") if head.startswith(b"TFL3", 4) else None


def _safetensors(_name: str, head: bytes, _handle: BinaryIO, size: int) -> Detection | None:
    return Detection(M, "safetensors", "magic") if _looks_like_safetensors(head, size) else None


_MAGIC: tuple[_Magic, ...] = (
    _zip,
    _prefixes(
        (b"GGUF", M, "gguf"),
        (b"\x93NUMPY", M, "numpy-npy"),
        (b"PAR1", D, "parquet"),
        (b"ARROW1", D, "arrow"),
        (b"FEA1", D, "feather"),
        (b"ORC", D, "orc"),
        (b"Obj\x01", D, "avro"),
        (b"SQLite format 3\x00", D, "sqlite"),
    ),
    _hdf5,
    _prefixes(
        (b"HEADER RECORD*******LIB", D, "sas-xpt"),
        (_SAS7BDAT_MAGIC, D, "sas7bdat"),
        (TORCH_LEGACY_MAGIC, M, "pytorch-legacy"),
    ),
    _pickle,
    _sevenzip,
    _gzip,
    _prefixes(
        (b"BZh", ARC, "bzip2"),
        (b"\xfd7zXZ\x00", ARC, "xz"),
        (b"\x28\xb5\x2f\xfd", ARC, "zstd"),
        (b"Rar!\x1a\x07", ARC, "rar"),
    ),
    _tar,
    _prefixes(
        (b"%PDF", DOC, "pdf"),
        (b"\x89PNG", OTH, "png"),
        (b"\xff\xd8\xff", OTH, "jpeg"),
        (b"\x7fELF", OTH, "elf"),
    ),
    _tflite,
    _safetensors,
)
"""Magic-number rules in the order they are tried (the first that knows the file wins)."""


def _by_magic(name: str, head: bytes, handle: BinaryIO, size: int) -> Detection | None:
    for rule in _MAGIC:
        found = rule(name, head, handle, size)
        if found is not None:
            return found
    return None


def _looks_like_safetensors(head: bytes, size: int) -> bool:
    if len(head) < 10:
        return False
    (length,) = struct.unpack("<Q", head[:8])
    return 2 <= length <= size - 8 and head[8:9] == b"{" and head[9:10] in (b'"', b"}", b" ")


def _zip_kind(name: str, handle: BinaryIO) -> Detection:
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
    office = _office_kind(names) if "[Content_Types].xml" in names else None
    if office is not None:
        return Detection(*office, "magic", props)
    if ext in (".pt", ".pth", ".bin", ".ckpt"):
        return Detection(M, "pytorch-zip", "magic", props)
    return Detection(ARC, "zip", "magic", props)


def _office_kind(names: list[str]) -> tuple[AssetKind, str] | None:
    """An Office Open XML file by the folders its parts are in."""
    for folder, kind, fmt in (("xl/", D, "excel"), ("word/", DOC, "docx"), ("ppt/", DOC, "pptx")):
        if any(n.startswith(folder) for n in names):
            return kind, fmt
    return None


def _by_text(name: str, head: bytes) -> Detection | None:
    low = name.lower()
    stripped = head.lstrip()
    found = _json_text(low, head, stripped) or _config_text(low, head, stripped)
    if found is not None:
        return found
    guess = by_name(name)
    if guess is not None and guess[0] is not DOC and guess[0] is not OTH:
        return None  # the name is specific enough
    return _log_text(head.splitlines()[:5], named=guess is not None)


def _json_text(low: str, head: bytes, stripped: bytes) -> Detection | None:
    """Service-account keys, private keys and CloudTrail documents, by content; JSON files."""
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
    return None


def _config_text(low: str, head: bytes, stripped: bytes) -> Detection | None:
    """Notebooks, kubeconfigs, AWS credential files and scripts with a ``#!`` line."""
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
    return None


_LOG_LINES = (
    (_AUDIT_LINE, "auditd"),
    (_S3_ACCESS_LINE, "s3-access-log"),
    (_HTTP_LINE, "http-access"),
)


def _log_text(lines: list[bytes], *, named: bool) -> Detection | None:
    """A log by the shape of its first lines (plain syslog-like lines only when the name said
    nothing)."""
    for pattern, fmt in _LOG_LINES:
        if lines and sum(1 for line in lines if pattern.match(line)) >= max(1, len(lines) // 2):
            return Detection(L, fmt, "content")
    syslog = sum(1 for line in lines if _SYSLOG_LINE.match(line))
    if not named and len(lines) >= 2 and syslog >= len(lines) - 1:
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
