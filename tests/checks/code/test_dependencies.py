"""Dependency files: requirements (includes, hashes, markers, VCS), pyproject (PEP 621, PEP 735,
Poetry, uv), setup.cfg, environment.yml and the lock files, and the rules over them."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.checks.code.depcheck import dependency_hits, host_words, looks_internal
from labwarden.checks.code.lockfiles import read_pipfile_lock, read_poetry_lock, read_uv_lock
from labwarden.checks.code.manifests import read_environment, read_pyproject, read_setup_cfg
from labwarden.checks.code.readers import include_from_disk
from labwarden.checks.code.requirements import (
    Manifest,
    pip_installs,
    read_requirements,
    vcs_ref,
)

SHA = "a" * 64
HEX = "0123456789abcdef0123456789abcdef01234567"


def rule_lines(manifest: Manifest, has_lock: bool = False) -> list[tuple[str, int]]:
    return sorted((h.rule, h.line) for h in dependency_hits(manifest, has_lock))


def test_requirements_file_forms(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("transformers==4.30.0\n--extra-index-url https://x/simple\n")
    (tmp_path / "constraints.txt").write_text("pandas==2.0.3\n")
    main = tmp_path / "requirements.txt"
    main.write_text(
        "# training stack\n"
        "-r base.txt\n"
        "-c constraints.txt\n"
        "torch==2.1.0 \\\n"
        f"    --hash=sha256:{SHA}\n"
        "numpy>=1.24,<2  # numeric\n"
        "pandas\n"
        'tomli==2.0.1; python_version < "3.11"\n'
        f"-e git+https://github.com/org/lib.git@{HEX}#egg=orglib\n"
        "mypkg @ git+https://github.com/org/mypkg@v1.2\n"
        "https://files.example.com/wheels/fancy-1.0-py3-none-any.whl\n"
        f"https://files.example.com/wheels/other-2.0.tar.gz#sha256={SHA}\n"
        "./local-package\n"
        "not a requirement !!\n"
    )
    manifest = read_requirements(str(main), main.read_text(), include_from_disk)
    by_name = {d.name: d for d in manifest.dependencies}
    assert by_name["torch"].version == "2.1.0" and by_name["torch"].hashes == (f"sha256:{SHA}",)
    assert by_name["torch"].line == 4
    assert by_name["numpy"].specifier == "<2,>=1.24" and by_name["numpy"].version is None
    assert by_name["pandas"].version == "2.0.3"  # from the constraints file
    assert by_name["tomli"].markers == 'python_version < "3.11"'
    assert by_name["orglib"].url and by_name["transformers"].source.endswith("base.txt")
    assert by_name["fancy"].version == "1.0"
    assert by_name["other"].hashes == (f"sha256:{SHA}",)
    assert "local-package" not in by_name
    assert manifest.extra_indexes == [("https://x/simple", 2)]
    found = rule_lines(manifest)
    assert ("unpinned-requirement", 6) in found
    assert ("unpinned-requirement", 7) not in found
    assert ("vcs-unpinned", 10) in found
    assert ("vcs-unpinned", 9) not in found
    assert ("url-unhashed", 11) in found
    assert ("unreadable-requirement", 14) in found
    assert ("extra-index-url", 2) in found
    # torch has a hash, so every other pinned requirement must have one too.
    assert ("unhashed-requirement", 8) in found


def test_include_cycles_end(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("-r b.txt\nalpha==1\n")
    (tmp_path / "b.txt").write_text("-r a.txt\nbeta==2\n")
    path = tmp_path / "a.txt"
    manifest = read_requirements(str(path), path.read_text(), include_from_disk)
    assert sorted(d.name for d in manifest.dependencies) == ["alpha", "beta"]


def test_vcs_refs() -> None:
    assert vcs_ref("git+https://github.com/o/r.git@v1.2#egg=x") == "v1.2"
    assert vcs_ref("git+ssh://git@github.com/o/r.git") is None
    assert vcs_ref(f"git+ssh://git@github.com/o/r.git@{HEX}") == HEX


def test_pip_install_lines() -> None:
    (first, second) = pip_installs(
        "pip install -U --extra-index-url=https://pkgs.acme.example/simple acme-utils "
        "'torch>=2' && python -m pip install --index-url https://mirror/simple numpy==1.26.4",
        "run.sh",
        3,
    )
    assert [d.name for d in first.dependencies] == ["acme-utils", "torch"]
    assert first.extra_indexes == [("https://pkgs.acme.example/simple", 3)]
    assert second.index == "https://mirror/simple"
    assert [d.version for d in second.dependencies] == ["1.26.4"]
    rules = rule_lines(first)
    assert ("dependency-confusion", 3) in rules and ("extra-index-url", 3) in rules
    assert pip_installs("echo pipeline install", "x", 1) == []
    assert [
        d.name for m in pip_installs("uv pip install ruff", "x", 1) for d in m.dependencies
    ] == ["ruff"]


def test_internal_names() -> None:
    words = host_words("https://user:secret@pypi.acme-ai.example/simple")
    assert {"acme", "example"} <= words and "pypi" not in words
    assert looks_internal("acme-featurizer", words)
    assert looks_internal("team-internal-utils", set())
    assert not looks_internal("numpy", words)
    assert not looks_internal("featurizer", set())


def test_extra_index_credentials_are_masked() -> None:
    (manifest,) = pip_installs(
        "pip install --extra-index-url https://bot:s3cret@pkgs.acme.example/simple x", "f", 1
    )
    messages = [h.message for h in dependency_hits(manifest, False)]
    assert all("s3cret" not in m for m in messages)
    assert any("***@pkgs.acme.example" in m for m in messages)


PYPROJECT = f"""
[build-system]
requires = ["hatchling>=1.24"]

[project]
name = "trainer"
dependencies = [
  "torch>=2.1",
  "transformers==4.40.0",
  "acme-tokenizers",
]
[project.optional-dependencies]
eval = ["evaluate"]

[dependency-groups]
dev = ["pytest>=8"]

[tool.poetry.dependencies]
python = "^3.11"
numpy = "1.26.4"
scipy = "^1.11"
lib = {{ git = "https://github.com/org/lib.git", rev = "{HEX}" }}
other = {{ git = "https://github.com/org/other.git", branch = "main" }}
private = {{ version = "^1.0", source = "acme" }}

[[tool.poetry.source]]
name = "acme"
url = "https://pkgs.acme.example/simple"
priority = "supplemental"

[tool.uv]
extra-index-url = ["https://download.example.org/whl/cu121"]
"""


def test_pyproject() -> None:
    manifest = read_pyproject("pyproject.toml", PYPROJECT)
    by_name = {d.name: d for d in manifest.dependencies}
    assert set(by_name) >= {"torch", "transformers", "evaluate", "pytest", "hatchling", "numpy"}
    assert by_name["numpy"].version == "1.26.4" and by_name["scipy"].specifier == "^1.11"
    assert by_name["transformers"].version == "4.40.0"
    assert by_name["torch"].line == 8
    assert by_name["private"].index == "acme"
    assert [u for u, _ in manifest.extra_indexes] == [
        "https://pkgs.acme.example/simple",
        "https://download.example.org/whl/cu121",
    ]
    rules = rule_lines(manifest)
    assert ("vcs-unpinned", by_name["other"].line) in rules
    assert ("vcs-unpinned", by_name["lib"].line) not in rules
    assert any(r == "no-lock-file" for r, _ in rules)
    assert ("dependency-confusion", by_name["acme-tokenizers"].line) in rules
    assert not any(r == "no-lock-file" for r, _ in rule_lines(manifest, has_lock=True))
    assert not any(r == "unpinned-requirement" for r, _ in rules)


def test_bad_toml_is_one_info_hit() -> None:
    manifest = read_pyproject("pyproject.toml", "[project\nname=")
    assert [h.rule for h in manifest.hits] == ["unreadable-manifest"]


def test_setup_cfg() -> None:
    manifest = read_setup_cfg(
        "setup.cfg",
        "[options]\ninstall_requires =\n    torch>=2\n    numpy==1.26.4  # pinned\n"
        "[options.extras_require]\nviz = matplotlib\n",
    )
    assert [(d.name, d.version, d.line) for d in manifest.dependencies] == [
        ("torch", None, 3),
        ("numpy", "1.26.4", 4),
        ("matplotlib", None, 6),
    ]


def test_environment_yml() -> None:
    manifest = read_environment(
        "environment.yml",
        "name: train\nchannels:\n  - http://conda.acme.example/main\n  - conda-forge\n"
        "dependencies:\n  - python=3.11\n  - pytorch::pytorch=2.1.0\n  - numpy>=1.24\n"
        "  - pip\n  - pip:\n    - --extra-index-url https://pkgs.acme.example/simple\n"
        "    - acme-core==0.3\n    - requests\n",
    )
    deps = {(d.name, d.ecosystem): d for d in manifest.dependencies}
    assert deps[("pytorch", "conda")].version == "2.1.0"
    assert deps[("pytorch", "conda")].index == "pytorch"
    assert deps[("numpy", "conda")].version is None
    assert deps[("acme-core", "PyPI")].version == "0.3"
    rules = rule_lines(manifest)
    assert ("insecure-index", 3) in rules
    assert ("unpinned-requirement", 13) in rules
    assert ("dependency-confusion", 12) in rules


def test_poetry_lock_both_generations() -> None:
    modern = (
        '[[package]]\nname = "torch"\nversion = "2.1.0"\n'
        f'files = [{{file = "torch-2.1.0.whl", hash = "sha256:{SHA}"}}]\n\n'
        '[[package]]\nname = "lib"\nversion = "0.1"\n[package.source]\ntype = "git"\n'
        'url = "https://github.com/org/lib.git"\nreference = "main"\n'
        f'resolved_reference = "{HEX}"\n'
    )
    manifest = read_poetry_lock("poetry.lock", modern)
    assert [(d.name, d.version, d.line) for d in manifest.dependencies] == [
        ("torch", "2.1.0", 2),
        ("lib", "0.1", 7),
    ]
    assert manifest.dependencies[1].url == f"git+https://github.com/org/lib.git@{HEX}"
    assert rule_lines(manifest) == []
    legacy = (
        '[[package]]\nname = "numpy"\nversion = "1.26.4"\n\n[metadata.files]\n'
        f'numpy = [{{file = "numpy.whl", hash = "sha256:{SHA}"}}]\n'
    )
    assert read_poetry_lock("poetry.lock", legacy).dependencies[0].hashes == (f"sha256:{SHA}",)
    bare = '[[package]]\nname = "numpy"\nversion = "1.26.4"\n'
    assert rule_lines(read_poetry_lock("poetry.lock", bare)) == [("unhashed-lock", 2)]


def test_uv_lock() -> None:
    text = (
        'version = 1\n[[package]]\nname = "trainer"\nversion = "0.1.0"\n'
        'source = { editable = "." }\n\n'
        '[[package]]\nname = "numpy"\nversion = "1.26.4"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
        f'sdist = {{ url = "https://files/numpy.tar.gz", hash = "sha256:{SHA}" }}\n\n'
        '[[package]]\nname = "acme-core"\nversion = "0.3"\n'
        'source = { registry = "https://pkgs.acme.example/simple" }\n'
    )
    text += (
        '[[package]]\nname = "lib"\nversion = "0.1"\n'
        f'source = {{ git = "https://github.com/org/lib.git?rev=main#{HEX}" }}\n'
        '[[package]]\nname = "moving"\nversion = "0.2"\n'
        'source = { git = "https://github.com/org/moving.git?branch=main" }\n'
    )
    manifest = read_uv_lock("uv.lock", text)
    assert [(d.name, d.index) for d in manifest.dependencies] == [
        ("numpy", None),
        ("acme-core", "https://pkgs.acme.example/simple"),
        ("lib", None),
        ("moving", None),
    ]
    assert manifest.dependencies[2].url == f"git+https://github.com/org/lib.git@{HEX}"
    assert [r for r, _ in rule_lines(manifest) if r == "vcs-unpinned"] == ["vcs-unpinned"]


def test_pipfile_lock() -> None:
    text = json.dumps(
        {
            "_meta": {
                "sources": [
                    {"name": "pypi", "url": "https://pypi.org/simple"},
                    {"name": "acme", "url": "https://pkgs.acme.example/simple"},
                ]
            },
            "default": {
                "requests": {"version": "==2.31.0", "hashes": [f"sha256:{SHA}"]},
                "acme-core": {"version": "==0.3", "index": "acme"},
            },
            "develop": {"pytest": {"version": "==8.0.0", "hashes": []}},
        },
        indent=4,
    )
    manifest = read_pipfile_lock("Pipfile.lock", text)
    assert [(d.name, d.version) for d in manifest.dependencies] == [
        ("requests", "2.31.0"),
        ("acme-core", "0.3"),
        ("pytest", "8.0.0"),
    ]
    rules = [r for r, _ in rule_lines(manifest)]
    assert "extra-index-url" in rules and "unhashed-lock" in rules


def test_typosquats() -> None:
    manifest = read_requirements(
        "requirements.txt",
        "reqeusts==2.31.0\ntorchvison==0.16\nscikitlearn==1.3\nnumpy==1.26.4\ntorchx==0.7\n",
    )
    found = [(h.line, h.evidence["package"]) for h in dependency_hits(manifest, False)]
    squats = [line for line, _ in found if line in (1, 2, 3)]
    assert sorted(set(squats)) == [1, 2, 3]
    typos = [h for h in dependency_hits(manifest, False) if h.rule == "typosquat"]
    assert {h.line for h in typos} == {1, 2, 3}


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_any_requirements_text_reads(text: str) -> None:
    manifest = read_requirements("requirements.txt", text)
    list(dependency_hits(manifest, False))


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_any_manifest_text_reads(text: str) -> None:
    for reader in (read_pyproject, read_setup_cfg, read_environment):
        list(dependency_hits(reader("f", text), False))
    for lock in (read_poetry_lock, read_uv_lock, read_pipfile_lock):
        list(dependency_hits(lock("f", text), True))
