"""Format detection: magic bytes first, then content, then the name."""

from __future__ import annotations

import gzip
import io
import pickle
import struct
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.checks.modelfile.samples import gguf, npy, safetensors, torch_zip
from labwarden.core.values import AssetKind
from labwarden.inventory.formats import Detection, by_name, detect


def sniff(name: str, data: bytes, parent: str = "") -> Detection:
    return detect(name, io.BytesIO(data), len(data), parent)


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def parquet_bytes() -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.table({"a": [1, 2]}), sink)
    return sink.getvalue()


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_pickle_by_magic_whatever_the_name(protocol: int) -> None:
    data = pickle.dumps({"weights": [1.0, 2.0]}, protocol=protocol)
    found = sniff("weights.data", data)
    assert (found.kind, found.format, found.by) == (AssetKind.MODEL, "pickle", "magic")


CASES = [
    ("model.pt", torch_zip([("w", (2, 2))], b"\x01\x02"), AssetKind.MODEL, "pytorch-zip"),
    (
        "scripted.pt",
        zip_of({"m/data.pkl": b"\x80\x02.", "m/constants.pkl": b"\x80\x02.", "m/code/x.py": b""}),
        AssetKind.MODEL,
        "torchscript",
    ),
    (
        "clf.keras",
        zip_of({"config.json": b"{}", "model.weights.h5": b"", "metadata.json": b"{}"}),
        AssetKind.MODEL,
        "keras-v3",
    ),
    (
        "arrays.npz",
        zip_of({"a.npy": b"\x93NUMPY", "b.npy": b"\x93NUMPY"}),
        AssetKind.MODEL,
        "numpy-npz",
    ),
    (
        "sheet.xlsx",
        zip_of({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}),
        AssetKind.DATASET,
        "excel",
    ),
    ("bundle.zip", zip_of({"readme.txt": b"hi"}), AssetKind.ARCHIVE, "zip"),
    ("m.safetensors", safetensors({"w": (4, 4)}, b"\x00\x01"), AssetKind.MODEL, "safetensors"),
    ("weights.bin", safetensors({"w": (2,)}, b"\x07"), AssetKind.MODEL, "safetensors"),
    ("m.gguf", gguf({"general.name": "x"}), AssetKind.MODEL, "gguf"),
    ("emb.npy", npy([1.0, 2.0]), AssetKind.MODEL, "numpy-npy"),
    ("part-0.parquet", parquet_bytes(), AssetKind.DATASET, "parquet"),
    ("table.bin", parquet_bytes(), AssetKind.DATASET, "parquet"),
    (
        "dm.xpt",
        b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!" + b"0" * 40,
        AssetKind.DATASET,
        "sas-xpt",
    ),
    ("auth.log.2.gz", gzip.compress(b"Oct  1 sshd: x\n", mtime=0), AssetKind.LOG, "auth-log+gzip"),
    ("blob.gz", gzip.compress(b"x", mtime=0), AssetKind.ARCHIVE, "gzip"),
    ("ckpt.pt", b"7z\xbc\xaf\x27\x1c" + b"\x00" * 30, AssetKind.MODEL, "7z"),
    ("doc.pdf", b"%PDF-1.7\n...", AssetKind.DOCUMENT, "pdf"),
    ("tool", b"\x7fELF\x02\x01\x01" + b"\x00" * 20, AssetKind.OTHER, "elf"),
    (
        "deploy",
        b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaA==\n-----END OPENSSH PRIVATE KEY-----\n",
        AssetKind.CREDENTIALS,
        "ssh-private-key",
    ),
    (
        "tls.txt",
        b"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n",
        AssetKind.CREDENTIALS,
        "pem-private-key",
    ),
    (
        "sa.json",
        b'{"type": "service_account", "project_id": "p", "private_key": "-----BEGIN"}',
        AssetKind.CREDENTIALS,
        "gcp-service-account",
    ),
    (
        "pipeline.json",
        b'{\n  "type": "service_account",\n  "private_key": "-----BEGIN PRIVATE KEY-----\\nMII'
        b'\\n-----END PRIVATE KEY-----\\n"\n}',
        AssetKind.CREDENTIALS,
        "gcp-service-account",
    ),
    ("trail.json", b'{"Records": [{"eventName": "GetObject"}]}', AssetKind.LOG, "cloudtrail"),
    ("rows.json", b'[{"a": 1}, {"a": 2}]', AssetKind.DATASET, "json"),
    ("config.json", b'{"model_type": "bert"}', AssetKind.CODE, "json"),
    (
        "cluster.yaml",
        b"apiVersion: v1\nkind: Config\nclusters: []\nusers: []\n",
        AssetKind.CREDENTIALS,
        "kubeconfig",
    ),
    (
        "events",
        b"type=SYSCALL msg=audit(1700000000.1:5): arch=c000003e\n"
        b"type=PATH msg=audit(1700000000.1:5): name=/x\n",
        AssetKind.LOG,
        "auditd",
    ),
    (
        "registry",
        b'10.0.0.1 - alice [01/Oct/2026:02:00:00 +0000] "GET /m HTTP/1.1" 200 5 "-" "curl"\n',
        AssetKind.LOG,
        "http-access",
    ),
    (
        "node.out",
        b"Oct  1 02:00:00 host sshd[1]: Accepted\nOct  1 02:00:01 host sshd[1]: closed\n",
        AssetKind.LOG,
        "log-text",
    ),
    ("run.sh.txt", b"#!/bin/bash\necho hi\n", AssetKind.CODE, "shell"),
    (".env", b"TOKEN=abc\n", AssetKind.CREDENTIALS, "dotenv"),
    (".env.production", b"TOKEN=abc\n", AssetKind.CREDENTIALS, "dotenv"),
    ("Dockerfile", b"FROM python:3.11\n", AssetKind.CODE, "dockerfile"),
    ("train.py", b"import torch\n", AssetKind.CODE, "python"),
    ("model.onnx", b"\x08\x08\x12\x07pytorch", AssetKind.MODEL, "onnx"),
    ("notes.bin", b"just some text, not a model\n", AssetKind.OTHER, "text"),
    ("empty.csv", b"", AssetKind.DATASET, "empty"),
]


@pytest.mark.parametrize(("name", "data", "kind", "fmt"), CASES, ids=[c[0] for c in CASES])
def test_detect(name: str, data: bytes, kind: AssetKind, fmt: str) -> None:
    found = sniff(name, data)
    assert (found.kind, found.format) == (kind, fmt)


def test_cloud_credentials_by_their_folder() -> None:
    body = b"[default]\naws_access_key_id = AKIA0000\n"
    assert sniff("credentials", body, parent=".aws").kind is AssetKind.CREDENTIALS
    assert sniff("config", b"clusters: []\n", parent=".kube").format == "kubeconfig"


def test_truncated_zip_is_an_archive_with_an_error() -> None:
    data = zip_of({"archive/data.pkl": b"\x80\x02."})[:30]
    found = sniff("model.pt", data)
    assert found.format == "zip"
    assert "unreadable zip" in found.properties["error"]


def test_rotated_log_names() -> None:
    assert by_name("syslog.3") == (AssetKind.LOG, "syslog")
    assert by_name("app.log.1") == (AssetKind.LOG, "log-text")
    assert by_name("data.tar.gz") == (AssetKind.ARCHIVE, "tar-gz")


@settings(max_examples=300, deadline=None)
@given(
    name=st.text(min_size=1, max_size=30).filter(lambda s: "/" not in s),
    data=st.binary(max_size=2048),
)
def test_detect_never_raises_on_arbitrary_bytes(name: str, data: bytes) -> None:
    found = sniff(name, data)
    assert isinstance(found.kind, AssetKind)
    assert found.format


@settings(max_examples=100, deadline=None)
@given(length=st.integers(min_value=0, max_value=2**64 - 1), rest=st.binary(max_size=64))
def test_safetensors_sniffing_rejects_impossible_header_lengths(length: int, rest: bytes) -> None:
    data = struct.pack("<Q", length) + b'{"' + rest
    found = sniff("x.safetensors", data)
    if length > len(data) - 8:
        assert found.by != "magic" or found.format != "safetensors"
