"""Dockerfiles, shell scripts and notebooks, read as text and JSON."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.checks.code.files import kind_of
from labwarden.checks.code.readers import read_file
from labwarden.checks.code.scripts import scan_dockerfile, scan_shell, split_image

DIGEST = "sha256:" + "b" * 64

DOCKERFILE = f"""# syntax=docker/dockerfile:1
ARG CUDA=12.1
ARG BASE=nvcr.io/nvidia/pytorch:24.01-py3
FROM ${{BASE}} AS build
RUN pip install --no-cache-dir \\
      transformers==4.40.0 \\
      # a comment inside the instruction
      accelerate && \\
    curl -fsSL https://get.example.com/setup.sh | sudo bash
RUN <<EOF
pip install datasets
EOF
FROM python:3.11-slim@{DIGEST} AS runtime
COPY --from=build /opt /opt
FROM build
FROM ubuntu
FROM scratch
FROM ${{UNSET}}
ADD https://example.com/weights.bin /w/
ADD --checksum=sha256:{"c" * 64} https://example.com/ok.bin /w/
"""


def test_dockerfile() -> None:
    result = scan_dockerfile("Dockerfile", DOCKERFILE)
    assert [(h.rule, h.line) for h in result.hits] == [
        ("image-unpinned", 4),
        ("pipe-to-shell", 5),
        ("image-unpinned", 16),
        ("image-unpinned", 18),
        ("remote-add", 19),
    ]
    assert result.hits[3].severity.value == "low"  # from a build argument without a default
    names = [(d.name, d.version) for d in result.images]
    assert names == [
        ("nvcr.io/nvidia/pytorch", "24.01-py3"),
        ("python", DIGEST),
        ("ubuntu", None),
        ("${UNSET}", None),
    ]
    installed = [(d.name, d.line) for m in result.manifests for d in m.dependencies]
    assert installed == [("transformers", 5), ("accelerate", 5), ("datasets", 11)]


def test_split_image() -> None:
    assert split_image("localhost:5000/team/img:1.0") == ("localhost:5000/team/img", "1.0", None)
    assert split_image(f"img@{DIGEST}") == ("img", None, DIGEST)
    assert split_image("registry:5000/img") == ("registry:5000/img", None, None)


def test_shell_script() -> None:
    result = scan_shell(
        "setup.sh",
        "#!/bin/bash\nset -e\nsudo pip3 install torch \\\n  numpy==1.26.4\n"
        "wget -qO- https://example.com/install.sh | sh\n"
        "conda activate train\npython -m pip install -r requirements.txt\n",
    )
    assert [(h.rule, h.line) for h in result.hits] == [("pipe-to-shell", 5)]
    assert [(d.name, d.version, d.line) for m in result.manifests for d in m.dependencies] == [
        ("torch", None, 3),
        ("numpy", "1.26.4", 3),
    ]


def notebook(*cells: str | list[str], cell_type: str = "code") -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": cell_type, "source": c, "metadata": {}, "outputs": []} for c in cells
            ],
            "metadata": {"kernelspec": {"language": "python"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def test_notebook_cells_and_magics() -> None:
    text = notebook(
        ["!pip install transformers torch==2.1.0\n", "%pip install -q datasets\n"],
        [
            "import torch\n",
            "files = !ls\n",
            "%time model = torch.load('m.pt')\n",
            "for x in y:\n",
            "    !echo $x\n",
            "    torch.load(x)\n",
        ],
        "%%bash\npip install --extra-index-url https://pkgs.acme.example/simple acme-core\n",
        "%%time\nimport pickle\npickle.load(open('x', 'rb'))\n",
    )
    result = read_file("notebook", "train.ipynb", text)
    assert [(h.rule, h.member, h.line) for h in result.hits] == [
        ("unsafe-load-torch", "cell 2", 6),
        ("unsafe-load-pickle", "cell 4", 3),
    ]
    installs = [(d.name, d.member, d.line) for m in result.manifests for d in m.dependencies]
    assert installs == [
        ("transformers", "cell 1", 1),
        ("torch", "cell 1", 1),
        ("datasets", "cell 1", 2),
        ("acme-core", "cell 3", 2),
    ]
    assert [m.extra_indexes for m in result.manifests if m.extra_indexes] == [
        [("https://pkgs.acme.example/simple", 2)]
    ]


def test_notebook_that_is_not_json() -> None:
    result = read_file("notebook", "broken.ipynb", "{not json")
    assert [h.rule for h in result.hits] == ["unreadable-notebook"]
    assert read_file("notebook", "list.ipynb", "[1, 2]").hits[0].rule == "unreadable-notebook"


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("a/train.py", "python"),
        ("a/Train.IPYNB", "notebook"),
        ("requirements.txt", "requirements"),
        ("requirements-dev.txt", "requirements"),
        ("requirements/base.txt", "requirements"),
        ("dev-requirements.in", "requirements"),
        ("constraints.txt", "requirements"),
        ("Dockerfile", "dockerfile"),
        ("Dockerfile.gpu", "dockerfile"),
        ("train.dockerfile", "dockerfile"),
        ("environment.yml", "environment.yml"),
        ("environment-gpu.yaml", "environment.yml"),
        ("pyproject.toml", "pyproject"),
        ("Pipfile.lock", "Pipfile.lock"),
        ("poetry.lock", "poetry.lock"),
        ("uv.lock", "uv.lock"),
        ("setup.cfg", "setup.cfg"),
        ("run.sh", "shell"),
        ("notes.txt", None),
        ("config.yaml", None),
        ("model.bin", None),
    ],
)
def test_kind_of(path: str, kind: str | None) -> None:
    assert kind_of(path) == kind


@given(st.text(max_size=400))
@settings(max_examples=200, deadline=None)
def test_any_text_in_every_reader(text: str) -> None:
    for kind in ("dockerfile", "shell", "notebook", "requirements", "pyproject", "uv.lock"):
        read_file(kind, f"/nonexistent/{kind}", text)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=30),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=20,
    )
)
@settings(max_examples=200, deadline=None)
def test_any_json_as_a_notebook(value: object) -> None:
    read_file(
        "notebook",
        "x.ipynb",
        json.dumps({"cells": [value, {"cell_type": "code", "source": value}]}),
    )
    read_file("Pipfile.lock", "Pipfile.lock", json.dumps(value))
