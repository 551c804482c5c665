"""Python source: unsafe loaders, eval of fetched text and hub pulls, through every spelling."""

from __future__ import annotations

import keyword as python_keywords
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.checks.code.interface import Hit
from labwarden.checks.code.python_code import scan_python
from labwarden.core.values import Severity


def hits(source: str) -> list[Hit]:
    return scan_python(textwrap.dedent(source))


def rules(source: str) -> list[tuple[int, str, str]]:
    return [(h.line, h.rule, h.severity.value) for h in hits(source)]


@pytest.mark.parametrize(
    ("source", "rule"),
    [
        ("import pickle\npickle.load(open(p, 'rb'))", "unsafe-load-pickle"),
        ("import pickle\npickle.loads(data)", "unsafe-load-pickle"),
        ("import pickle\npickle.Unpickler(f).load()", "unsafe-load-pickle"),
        ("import cPickle\ncPickle.load(f)", "unsafe-load-pickle"),
        ("import _pickle as cp\ncp.loads(b)", "unsafe-load-pickle"),
        ("import pandas as pd\npd.read_pickle(p)", "unsafe-load-pickle"),
        ("import joblib\njoblib.load(p)", "unsafe-load-joblib"),
        ("from sklearn.externals import joblib\njoblib.load(p)", "unsafe-load-joblib"),
        ("import dill\ndill.loads(b)", "unsafe-load-dill"),
        ("import cloudpickle\ncloudpickle.load(f)", "unsafe-load-dill"),
        ("import torch\ntorch.load(p)", "unsafe-load-torch"),
        ("import torch\ntorch.load(p, weights_only=False)", "unsafe-load-torch"),
        ("import torch\ntorch.load(p, map_location='cpu')", "unsafe-load-torch"),
        ("import numpy as np\nnp.load(p, allow_pickle=True)", "unsafe-load-numpy"),
        ("import yaml\nyaml.load(s)", "unsafe-load-yaml"),
        ("import yaml\nyaml.load(s, Loader=yaml.Loader)", "unsafe-load-yaml"),
        ("import yaml\nyaml.load(s, yaml.UnsafeLoader)", "unsafe-load-yaml"),
        ("import yaml\nyaml.unsafe_load(s)", "unsafe-load-yaml"),
        ("from ruamel.yaml import YAML\nYAML(typ='unsafe')", "unsafe-load-yaml"),
        (
            "import tensorflow as tf\ntf.keras.models.load_model(p, safe_mode=False)",
            "unsafe-load-keras",
        ),
        ("import keras\nkeras.saving.load_model(p, safe_mode=False)", "unsafe-load-keras"),
    ],
)
def test_each_unsafe_loader(source: str, rule: str) -> None:
    (hit,) = hits(source)
    assert hit.rule == rule
    assert hit.line == 2
    assert hit.fix


@pytest.mark.parametrize(
    "source",
    [
        "import torch\ntorch.load(p, weights_only=True)",
        "import numpy as np\nnp.load(p)",
        "import numpy as np\nnp.load(p, allow_pickle=False)",
        "import yaml\nyaml.safe_load(s)",
        "import yaml\nyaml.load(s, Loader=yaml.SafeLoader)",
        "import yaml\nyaml.load(s, yaml.CSafeLoader)",
        "import yaml\nfrom yaml import SafeLoader\nyaml.load(s, Loader=SafeLoader)",
        "import keras\nkeras.models.load_model(p)",
        "import json\njson.load(f)",
        "eval('1 + 1')",
        "exec(open('local.py').read())",
        "import safetensors.torch\nsafetensors.torch.load_file(p)",
        "class A:\n    def load(self, p):\n        return p\nA().load(p)",
        "def pickle_load(p):\n    return p\npickle_load(p)",
    ],
)
def test_safe_forms_are_quiet(source: str) -> None:
    assert hits(source) == []


def test_aliases_and_from_imports_resolve() -> None:
    found = rules(
        """
        import torch as t
        from pickle import loads as l
        from numpy import load
        import joblib as jl
        load_it = jl.load
        t.load(p)
        l(b)
        load(p, allow_pickle=True)
        load_it(p)
        """
    )
    assert [r for _, r, _ in found] == [
        "unsafe-load-torch",
        "unsafe-load-pickle",
        "unsafe-load-numpy",
        "unsafe-load-joblib",
    ]


def test_dynamic_and_star_imports_resolve() -> None:
    found = rules(
        """
        import pickle, importlib
        from dill import *
        getattr(pickle, "loads")(b)
        __import__("pickle").load(f)
        importlib.import_module("joblib").load(p)
        loads(b)
        """
    )
    assert [r for _, r, _ in found] == [
        "unsafe-load-pickle",
        "unsafe-load-pickle",
        "unsafe-load-joblib",
        "unsafe-load-dill",
    ]


@given(
    alias=st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(
        lambda s: not python_keywords.iskeyword(s) and s not in ("p", "eval", "exec", "compile")
    ),
    loader=st.sampled_from(
        [
            ("torch", "load", "unsafe-load-torch"),
            ("pickle", "loads", "unsafe-load-pickle"),
            ("joblib", "load", "unsafe-load-joblib"),
            ("dill", "load", "unsafe-load-dill"),
            ("yaml", "load", "unsafe-load-yaml"),
        ]
    ),
    style=st.sampled_from(["module", "function"]),
)
@settings(max_examples=150, deadline=None)
def test_any_alias_is_caught(alias: str, loader: tuple[str, str, str], style: str) -> None:
    """The class, not the sample: whatever the alias, the loader is found."""
    module, function, rule = loader
    if style == "module":
        source = f"import {module} as {alias}\n{alias}.{function}(p)\n"
    else:
        source = f"from {module} import {function} as {alias}\n{alias}(p)\n"
    assert [h.rule for h in scan_python(source)] == [rule]


def test_remote_origins_make_it_critical() -> None:
    found = rules(
        """
        import torch, pickle, requests, joblib, io, os, urllib.request
        from huggingface_hub import hf_hub_download, snapshot_download

        def a(url):
            torch.load("https://example.com/w.pt")

        def b(url):
            r = requests.get(url)
            pickle.loads(r.content)

        def c():
            path = hf_hub_download(repo_id="org/m", filename="m.joblib", revision="a" * 40)
            joblib.load(path)

        def d():
            root = snapshot_download("org/m", revision="0123456789abcdef0123456789abcdef01234567")
            torch.load(os.path.join(root, "pytorch_model.bin"))

        def e(u):
            torch.load(io.BytesIO(urllib.request.urlopen(u).read()))

        def f(name):
            BASE = "s3://bucket/models"
            torch.load(f"{BASE}/{name}.pt")

        def g(p):
            torch.load(p)
        """
    )
    severities = [(r, s) for _, r, s in found if r.startswith("unsafe-load")]
    assert severities == [
        ("unsafe-load-torch", "critical"),
        ("unsafe-load-pickle", "critical"),
        ("unsafe-load-joblib", "critical"),
        ("unsafe-load-torch", "critical"),
        ("unsafe-load-torch", "critical"),
        ("unsafe-load-torch", "critical"),
        ("unsafe-load-torch", "medium"),
    ]


def test_names_are_scoped_to_their_function() -> None:
    found = rules(
        """
        import torch, requests

        def fetch(url):
            data = requests.get(url).content
            return data

        def local(data):
            return torch.load(data)
        """
    )
    assert found == [(9, "unsafe-load-torch", "medium")]


def test_keyword_not_visible_is_low() -> None:
    found = rules(
        """
        import torch
        def load(p, safe):
            torch.load(p, weights_only=safe)
            torch.load(p, **options)
        """
    )
    assert [s for _, _, s in found] == ["low", "low"]


def test_eval_of_fetched_text() -> None:
    found = rules(
        """
        import requests, urllib.request
        from huggingface_hub import hf_hub_download
        code = requests.get(URL).text
        exec(code)
        eval(urllib.request.urlopen(URL).read().decode())
        exec(open(hf_hub_download("org/x", "setup.py", revision="a" * 40)).read())
        eval(user_input)
        exec(compile(open("local.py").read(), "local.py", "exec"))
        """
    )
    assert found == [
        (5, "eval-fetched", "critical"),
        (6, "eval-fetched", "critical"),
        (7, "eval-fetched", "critical"),
    ]


def test_shadowed_eval_is_not_the_builtin() -> None:
    assert rules("from mylib import eval\nimport requests\neval(requests.get(u).text)") == []


HEX = "0123456789abcdef0123456789abcdef01234567"


def test_hub_pulls() -> None:
    found = rules(
        f"""
        from transformers import AutoModel, AutoTokenizer, pipeline
        from datasets import load_dataset
        from huggingface_hub import hf_hub_download, snapshot_download
        import torch
        AutoModel.from_pretrained("org/model")
        AutoModel.from_pretrained("org/model", revision="main")
        AutoModel.from_pretrained("org/model", revision="{HEX}")
        AutoModel.from_pretrained("org/model", trust_remote_code=True)
        AutoModel.from_pretrained("org/model", trust_remote_code=True, revision="{HEX}")
        AutoModel.from_pretrained(args.model)
        AutoModel.from_pretrained(args.model, trust_remote_code=True)
        AutoTokenizer.from_pretrained("./checkpoints/run-1")
        AutoTokenizer.from_pretrained("/data/models/x")
        AutoTokenizer.from_pretrained("org/model", local_files_only=True)
        pipeline("text-generation", model="org/llm")
        load_dataset("org/data")
        load_dataset("csv", data_files="train.csv")
        load_dataset("org/data", trust_remote_code=True)
        hf_hub_download(repo_id="org/m", filename="x.bin")
        snapshot_download("org/m", revision="v1.0")
        torch.hub.load("pytorch/vision", "resnet50")
        torch.hub.load("pytorch/vision:{HEX}", "resnet50")
        torch.hub.load("./hubrepo", "model", source="local")
        """
    )
    assert found == [
        (6, "hub-unpinned", "medium"),
        (7, "hub-unpinned", "medium"),
        (9, "trust-remote-code", "critical"),
        (10, "remote-code-pinned", "medium"),
        (11, "hub-unpinned", "low"),
        (12, "trust-remote-code", "high"),
        (16, "hub-unpinned", "medium"),
        (17, "hub-unpinned", "medium"),
        (19, "trust-remote-code", "critical"),
        (20, "hub-unpinned", "medium"),
        (21, "hub-unpinned", "medium"),
        (22, "trust-remote-code", "critical"),
        (23, "remote-code-pinned", "medium"),
    ]


def test_revision_through_a_constant() -> None:
    found = rules(
        f"""
        from transformers import AutoModel
        REVISION = "{HEX}"
        TRUST = True
        AutoModel.from_pretrained("org/model", revision=REVISION)
        AutoModel.from_pretrained("org/model", trust_remote_code=TRUST)
        """
    )
    assert found == [(6, "trust-remote-code", "critical")]


def test_peft_adapter_id_is_the_second_argument() -> None:
    found = hits("from peft import PeftModel\nPeftModel.from_pretrained(base, 'org/adapter')\n")
    assert [(h.rule, h.evidence["target"]) for h in found] == [("hub-unpinned", "org/adapter")]


def test_syntax_errors_are_one_info_hit() -> None:
    (hit,) = scan_python("def broken(:\n    pickle.loads(b)\n")
    assert hit.rule == "unparsable-python"
    assert hit.severity is Severity.INFO
    assert hit.line == 1
    # Text without a word any rule is about is not parsed at all.
    assert scan_python("def broken(:\n    pass\n") == []


def test_deep_nesting_does_not_crash() -> None:
    deep = "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    assert all(h.severity is Severity.INFO for h in scan_python(deep))
    nested = "import torch\n" + "".join(f"{'    ' * i}if a:\n" for i in range(90))
    nested += "    " * 90 + "torch.load(p)\n"
    assert [h.rule for h in scan_python(nested)] in (["unsafe-load-torch"], ["unparsable-python"])


@given(st.text(max_size=400))
@settings(max_examples=300, deadline=None)
def test_any_text_gives_hits_not_exceptions(text: str) -> None:
    for hit in scan_python(text):
        assert isinstance(hit, Hit)


@given(st.binary(max_size=400))
@settings(max_examples=200, deadline=None)
def test_any_bytes_decoded_give_hits_not_exceptions(data: bytes) -> None:
    scan_python("import torch, pickle\n" + data.decode("utf-8", errors="replace"))


def test_values_followed_through_defaults_dicts_and_fstrings() -> None:
    """The families behind the benchmark's misses: a safe parameter default, keywords in a
    ``**kwargs`` dict, and a revision pinned inside an f-string."""
    found = rules(
        f"""
        import torch, yaml

        COMMIT = "{HEX}"

        def safe_by_default(path, weights_only=True):
            return torch.load(path, map_location="cpu", weights_only=weights_only)

        def unsafe_by_default(path, weights_only=False):
            return torch.load(path, weights_only=weights_only)

        def through_a_dict(path, weights_only=True):
            load_kwargs = dict(map_location="cpu", weights_only=weights_only)
            return torch.load(path, **load_kwargs)

        def through_a_literal_dict(path):
            options = {{"weights_only": False}}
            return torch.load(path, **options)

        def loader_default(text, loader=yaml.SafeLoader):
            return yaml.load(text, Loader=loader)

        def pinned_hub():
            return torch.hub.load(f"pytorch/vision:{{COMMIT}}", "resnet50")

        def pinned_by_concatenation():
            return torch.hub.load("pytorch/vision:" + COMMIT, "resnet50")

        def moving_hub(tag="v0.15.0"):
            return torch.hub.load(f"pytorch/vision:{{tag}}", "resnet50")
        """
    )
    assert found == [
        (10, "unsafe-load-torch", "medium"),
        (18, "unsafe-load-torch", "medium"),
        (24, "remote-code-pinned", "medium"),
        (27, "remote-code-pinned", "medium"),
        (30, "trust-remote-code", "critical"),
    ]


def test_names_bound_to_themselves_end() -> None:
    """``w = w`` or ``x = y; y = x`` must not stop the analysis of the rest of the file."""
    found = rules(
        """
        import torch, pickle
        w = w
        x = y
        y = x
        torch.load(p, weights_only=w)
        torch.load(p, weights_only=x)
        pickle.loads(b)
        """
    )
    assert [(line, rule) for line, rule, _ in found] == [
        (6, "unsafe-load-torch"),
        (7, "unsafe-load-torch"),
        (8, "unsafe-load-pickle"),
    ]


def test_pass_through_and_local_paths() -> None:
    """A library passing its caller's revision and trust_remote_code through chooses neither;
    ids built as local paths are not hub pulls (families behind the held-out set's
    false positives)."""
    found = rules(
        """
        import os
        from pathlib import Path
        from transformers import AutoConfig, AutoTokenizer
        from peft import PeftConfig

        def passthrough(model_id, revision, args):
            AutoTokenizer.from_pretrained(model_id, revision=revision, trust_remote_code=args.trc)
            AutoConfig.from_pretrained(model_id, trust_remote_code=args.trc)

        def local(root, adapter_paths, names):
            AutoConfig.from_pretrained(os.path.join(root, "config"))
            AutoConfig.from_pretrained(str(Path(root) / "tokenizer"))
            adapter_paths = [Path(p) for p in adapter_paths]
            configs = [PeftConfig.from_pretrained(str(p)) for p in adapter_paths]
            for p, cfg in zip(adapter_paths, configs):
                PeftConfig.from_pretrained(str(p))
            for i, name in enumerate(names):
                PeftConfig.from_pretrained(name)
        """
    )
    assert found == [(9, "trust-remote-code", "high"), (19, "hub-unpinned", "low")]
