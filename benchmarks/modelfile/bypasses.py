"""One file per bypass family from the peers' trackers and advisories, every tool side by side.

Run: ``.venv/bin/python -m benchmarks.modelfile.bypasses`` (writes the cases to
benchmarks/.work/bypasses/ and bypasses.json next to RESULTS.md). The same cases are unit tests
in tests/checks/modelfile/. Every case is built opcode by opcode; none is ever loaded.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import shutil
import struct
import subprocess
import zipfile
import zlib

import py7zr
from tests.checks.modelfile import classes
from tests.checks.modelfile.builders import (
    gguf_bytes,
    npy_object,
    proto,
    stack_global_call,
    su,
    zip_bytes,
)

from benchmarks.modelfile.common import ROOT, WORK
from benchmarks.modelfile.corpus import compare
from labwarden.checks.modelfile.samples import gguf, safetensors, sklearn_estimator, torch_zip

CASES = WORK / "bypasses"
DATA = ROOT / "tests" / "data" / "modelfile"
EVIL = stack_global_call("os", "system", "id")

UNLISTED = {
    "torch.utils.collect_env.run": ("torch.utils.collect_env", "run"),
    "multiprocessing.util.spawnv_passfds": ("multiprocessing.util", "spawnv_passfds"),
    "pandas.read_csv": ("pandas", "read_csv"),
    "pkgutil.resolve_name": ("pkgutil", "resolve_name"),
    "importlib.import_module": ("importlib", "import_module"),
    "operator.methodcaller": ("operator", "methodcaller"),
    "functools.partial": ("functools", "partial"),
    "mailcap.findmatch": ("mailcap", "findmatch"),
    "_interpreters.run_string": ("_interpreters", "run_string"),
    "asyncio.subprocess": ("asyncio.unix_events", "_UnixSubprocessTransport._start"),
    "profile.run": ("profile", "run"),
    "timeit.timeit": ("timeit", "timeit"),
    "idlelib.runcode": ("idlelib.pyshell", "ModifiedInterpreter.runcode"),
    "lib2to3.make_label": ("lib2to3.pgen2.pgen", "ParserGenerator.make_label"),
    "numpy.f2py.getlincoef": ("numpy.f2py.crackfortran", "getlincoef"),
    "numpy.testing.runstring": ("numpy.testing._private.utils", "runstring"),
    "distutils.write_file": ("distutils.file_util", "write_file"),
    "_io.FileIO": ("_io", "FileIO"),
    "pip.main": ("pip", "main"),
    "venv.create": ("venv", "create"),
    "imaplib.IMAP4_stream": ("imaplib", "IMAP4_stream"),
    "code.runsource": ("code", "InteractiveInterpreter.runsource"),
    "marshal.loads": ("marshal", "loads"),
    "types.FunctionType": ("types", "FunctionType"),
    "uuid._get_command_stdout": ("uuid", "_get_command_stdout"),
    "platform.popen": ("platform", "popen"),
    "torch.load": ("torch", "load"),
    "ctypes.CDLL": ("ctypes", "CDLL"),
    "cloudpickle.subimport": ("cloudpickle.cloudpickle", "subimport"),
    "dill._create_code": ("dill._dill", "_create_code"),
}


def _bad_crc() -> bytes:
    data = bytearray(zip_bytes({"archive/data.pkl": EVIL, "archive/version": b"3\n"}))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0]
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"PK\x01\x02"))
    struct.pack_into("<I", data, 14, info.CRC ^ 0xFFFF)
    struct.pack_into("<I", data, central + 16, info.CRC ^ 0xFFFF)
    return bytes(data)


def _broken_first_entry() -> bytes:
    data = bytearray(zip_bytes({"archive/aaa": b"x" * 64, "archive/data.pkl": EVIL}))
    data[0:4] = b"PK\x00\x00"
    return bytes(data)


def _lying_header() -> bytes:
    data = bytearray(zip_bytes({"archive/data.pkl": EVIL}))
    at = data.index(b"archive/data.pkl")
    data[at : at + 16] = b"archive/safe.txt"
    return bytes(data)


def _seven_zip() -> bytes:
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as archive:
        archive.writestr(zip_bytes({"archive/data.pkl": EVIL}), "model.pt")
    return buffer.getvalue()


def _joblib_after_arrays() -> bytes:
    data = (DATA / "arrays.joblib").read_bytes()
    return data[:-1] + su("os") + su("system") + b"\x93" + su("id") + b"\x85R0."


def _field(number: int, payload: bytes) -> bytes:
    return bytes([(number << 3) | 2, len(payload)]) + payload


def cases() -> dict[str, tuple[str, bytes]]:
    """File name -> (label, bytes)."""
    memo = proto(4) + su("collections") + b"q\x01" + su("os") + b"\x94"
    memo += b"h\x01" + su("system") + b"\x93" + su("id") + b"\x85R."
    memo_sg = proto(4) + su("os") + b"\x94" + su("system") + b"\x94" + b"h\x00h\x01\x93"
    memo_sg += su("id") + b"\x85R."
    build = proto(4) + b"cnumpy\nprod\n" + b"N(Va\nVos\nd\x86b" + b"N(Vb\nVsystem\nd\x86b0"
    build += b"cnumpy\nprod.a\np0\n" + b"cnumpy\nprod.b\np1\n" + b"00g0\ng1\n\x93Vid\n\x85R."
    dynamic = proto(4) + su("builtins") + su("str") + b"\x93" + su("os") + b"\x85R"
    dynamic += su("system") + b"\x93" + su("id") + b"\x85R."
    nested = proto(4) + su("pickle") + su("loads") + b"\x93" + b"C" + bytes([len(EVIL)]) + EVIL
    nested += b"\x85R."
    two = (
        proto(4)
        + b"}"
        + su("model")
        + su("weights")
        + b"s."
        + stack_global_call("builtins", "eval", "1+1")
    )
    keras_cfg = {
        "module": "keras",
        "class_name": "Functional",
        "config": {"layers": [{"class_name": "Lambda", "config": {"function": "lambda x: x"}}]},
    }
    entry = _field(1, b"location") + _field(2, b"../../../../etc/passwd")
    tensor = _field(8, b"w") + _field(13, entry) + bytes([14 << 3, 1])
    onnx = b"\x08\x08" + _field(7, _field(5, tensor))
    node = _field(1, b"bad") + _field(2, b"PyFunc")
    found: dict[str, tuple[str, bytes]] = {
        "memo_put_memoize_confusion.pkl": ("malicious", memo),
        "stack_global_memo_strings.pkl": ("malicious", memo_sg),
        "build_setattr_on_global.pkl": ("malicious", build),
        "stack_global_computed_name.pkl": ("malicious", dynamic),
        "nested_pickle_loads.pkl": ("malicious", nested),
        "second_pickle_stream.pkl": ("malicious", two),
        "attribute_chain_torch_os.pkl": (
            "malicious",
            stack_global_call("torch", "os.system", "id"),
        ),
        "attribute_chain_builtins.pkl": (
            "malicious",
            stack_global_call("numpy", "__builtins__.eval", "1"),
        ),
        "proto0_obj_pty_spawn.pkl": ("malicious", b"(cpty\nspawn\nS'id'\no."),
        "proto0_inst_posix.pkl": ("malicious", b"(S'id'\niposix\nsystem\n."),
        "zip_bad_crc.pt": ("malicious", _bad_crc()),
        "zip_broken_first_entry.pt": ("malicious", _broken_first_entry()),
        "zip_lying_local_header.pt": ("malicious", _lying_header()),
        "zip_nonstandard_member.pt": ("malicious", zip_bytes({"archive/weights.tmp": EVIL})),
        "model_7z.7z": ("malicious", _seven_zip()),
        "joblib_zlib.joblib": ("malicious", zlib.compress(EVIL)),
        "joblib_gzip.joblib.gz": ("malicious", gzip.compress(EVIL)),
        "joblib_payload_after_arrays.joblib": ("malicious", _joblib_after_arrays()),
        "npy_object_array.npy": ("malicious", npy_object(EVIL)),
        "keras_v3_lambda.keras": (
            "malicious",
            zip_bytes(
                {
                    "config.json": json.dumps(keras_cfg).encode(),
                    "metadata.json": b"{}",
                    "model.weights.h5": b"",
                }
            ),
        ),
        "gguf_template_escape.gguf": (
            "malicious",
            gguf_bytes(
                {"tokenizer.chat_template": "{{ cycler.__init__.__globals__.os.popen('id') }}"}
            ),
        ),
        "onnx_external_data_traversal.onnx": ("malicious", onnx),
        "tf_pyfunc/saved_model.pb": ("malicious", _field(2, _field(2, _field(1, node)))),
        "base64_nested_pickle.pkl": (
            "suspicious",
            proto(4) + b"}" + su("blob") + su(base64.b64encode(EVIL).decode()) + b"s.",
        ),
        "benign_torch.pt": ("benign", torch_zip([("w", (8, 8))], b"\x01\x02\x03\x04")),
        "benign_estimator.joblib": ("benign", sklearn_estimator([0.1, 0.2])),
        "benign_arrays.joblib": ("benign", (DATA / "arrays.joblib").read_bytes()),
        "benign.safetensors": ("benign", safetensors({"w": (4, 4)}, b"\x01\x02")),
        "benign.gguf": (
            "benign",
            gguf(
                {"tokenizer.chat_template": "{% for m in messages %}{{ m['content'] }}{% endfor %}"}
            ),
        ),
    }
    for label, (module, name) in UNLISTED.items():
        found[f"unlisted_{label}.pkl"] = ("malicious", stack_global_call(module, name, "id"))
    found |= issue_13_cases()
    return found


def issue_13_cases() -> dict[str, tuple[str, bytes]]:
    """The bypass classes of issue #13 (tests/checks/modelfile/classes.py), every variant."""
    found: dict[str, tuple[str, bytes]] = {}
    for family in (
        classes.headerless,
        classes.nested_loaders,
        classes.wildcard_admitted,
        classes.compressed_joblib,
        classes.encryption_flag,
        classes.unknown_invoked,
    ):
        found |= {f"i13/{n}": ("malicious", d) for n, d in family("touch /tmp/lw-marker").items()}
    found |= {f"i13/{n}": ("unparseable", d) for n, d in classes.unparseable().items()}
    return found


def benign_real() -> dict[str, tuple[str, bytes]]:
    """Benign files written by NumPy, SciPy, scikit-learn, joblib and dill themselves (made in
    the benchmark venv by benign_real.py; labwarden never depends on those libraries)."""
    out = WORK / "benign_real"
    python = WORK / "peers" / "bin" / "python"
    if not out.exists():
        subprocess.run(
            [str(python), str(ROOT / "benchmarks/modelfile/benign_real.py"), str(out)], check=True
        )
    return {f"benign_real/{p.name}": ("benign", p.read_bytes()) for p in sorted(out.iterdir())}


def main() -> None:
    if CASES.exists():
        shutil.rmtree(CASES)
    files: dict[str, str] = {}
    for name, (label, data) in cases().items():
        path = CASES / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        files[name] = label
    for name, (label, data) in benign_real().items():
        path = CASES / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        files[name] = label
    results = compare(CASES, files, modelaudit_timeout=300)
    out = ROOT / "benchmarks" / "modelfile" / "bypasses.json"
    totals = {
        label: sum(1 for lab in files.values() if lab == label) for label in set(files.values())
    }
    out.write_text(json.dumps({"totals": totals, "tools": results}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
