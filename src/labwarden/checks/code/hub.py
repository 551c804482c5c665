"""Hub pulls without a pinned revision, and pulls that run the hub's code
(``trust_remote_code=True``, ``torch.hub.load``)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from labwarden.checks.code.interface import Hit, HubRule
from labwarden.checks.code.names import Names, keyword, method_name
from labwarden.checks.code.origins import UNKNOWN, Scope, constant
from labwarden.core.values import Severity

COMMIT = re.compile(r"^[0-9a-f]{40}$")

HUB_RULES: tuple[HubRule, ...] = (
    HubRule(id="from_pretrained", names=(".from_pretrained",), what="model or tokenizer"),
    HubRule(
        id="pipeline",
        names=("transformers.pipeline",),
        what="pipeline model",
        id_keywords=("model",),
    ),
    HubRule(
        id="hf_hub_download",
        names=(
            "huggingface_hub.hf_hub_download",
            "huggingface_hub.snapshot_download",
            "huggingface_hub.file_download.hf_hub_download",
        ),
        what="hub repository",
        id_keywords=("repo_id",),
    ),
    HubRule(
        id="load_dataset",
        names=("datasets.load_dataset", "datasets.load_dataset_builder"),
        what="dataset",
        id_keywords=("path",),
    ),
    HubRule(
        id="sentence_transformers",
        names=("sentence_transformers.SentenceTransformer",),
        what="model",
        id_keywords=("model_name_or_path",),
    ),
    HubRule(
        id="torch_hub",
        names=("torch.hub.load", "torch.hub.list", "torch.hub.help"),
        what="torch.hub repository",
        id_keywords=("repo_or_dir",),
        runs_code=True,
        ref_in_id=True,
    ),
)

_BY_NAME = {n: r for r in HUB_RULES for n in r.names if not n.startswith(".")}
_BY_METHOD = {n[1:]: r for r in HUB_RULES for n in r.names if n.startswith(".")}
HUB_NAMES = frozenset(_BY_NAME)
HUB_METHODS = frozenset(_BY_METHOD)

LOCAL_BUILDERS = frozenset(
    {
        "csv",
        "json",
        "parquet",
        "text",
        "arrow",
        "pandas",
        "generator",
        "imagefolder",
        "audiofolder",
        "videofolder",
        "webdataset",
        "sql",
        "xml",
    }
)
"""``load_dataset`` builders that read local files (``load_dataset("csv", data_files=...)``)."""

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
_FILE_SUFFIX = re.compile(r"\.(bin|pt|pth|ckpt|safetensors|json|onnx|h5|pkl|gguf)$", re.I)


def rule_for(call: ast.Call, name: str | None) -> HubRule | None:
    """The hub rule that ``call`` (resolved to ``name``) falls under, if any."""
    if name is not None and name in _BY_NAME:
        return _BY_NAME[name]
    method = method_name(call)
    return _BY_METHOD.get(method) if method else None


@dataclass(frozen=True, slots=True)
class Pull:
    """What one hub call asks for."""

    target: str | None
    """The literal hub id, or ``None`` when the call names it with a variable."""
    pinned: bool | None
    """Fixed at a commit: ``True``, ``False`` (none or a branch/tag), ``None`` (not visible)."""
    ref: str | None
    remote_code: bool | None
    """``trust_remote_code``: ``True``, ``False`` or ``None`` (a variable)."""


def _target(rule: HubRule, call: ast.Call, scope: Scope) -> ast.expr | None:
    for name in rule.id_keywords:
        found = keyword(call, name)
        if found is not None:
            return found
    if not call.args:
        return None
    first = call.args[0]
    if rule.ref_in_id or isinstance(constant(first, scope), str) or len(call.args) < 2:
        return first
    # PeftModel.from_pretrained(model, "org/adapter"): the id is the first string given.
    second = call.args[1]
    return second if isinstance(constant(second, scope), str) else first


def _is_local(text: str, rule: HubRule) -> bool:
    if rule.id == "load_dataset" and text.lower() in LOCAL_BUILDERS:
        return True
    if text.startswith(("/", ".", "~")) or "\\" in text or _FILE_SUFFIX.search(text):
        return True
    core = text.split(":", 1)[0] if rule.ref_in_id else text
    return not _HUB_ID.match(core)


LOCAL_PATHS = frozenset(
    {
        "pathlib.Path",
        "pathlib.PurePath",
        "pathlib.PosixPath",
        "os.path.join",
        "os.path.abspath",
        "os.path.expanduser",
        "os.path.realpath",
        "os.getcwd",
        "tempfile.mkdtemp",
    }
)
"""Calls whose result is a path on this machine, never a hub id."""


def _local_path(node: ast.expr | None, names: Names, scope: Scope, depth: int = 0) -> bool:
    """Whether ``node`` is evidently a local path: built by :data:`LOCAL_PATHS` (through
    ``str(...)``, ``/``, names, and the items of a list or loop over such paths)."""
    if node is None or depth > 6:
        return False
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id in ("str", "os.fspath") and node.args:
            return _local_path(node.args[0], names, scope, depth + 1)
        name = names.qualified(node.func)
        return name in LOCAL_PATHS or (name is not None and name.startswith("pathlib.Path."))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _local_path(node.left, names, scope, depth + 1)
    if isinstance(node, ast.ListComp | ast.GeneratorExp | ast.SetComp):
        return _local_path(node.elt, names, scope, depth + 1)
    if isinstance(node, ast.List | ast.Tuple) and node.elts:
        return all(_local_path(e, names, scope, depth + 1) for e in node.elts)
    if isinstance(node, ast.Name):
        values = scope.lookup(node.id)
        return bool(values) and all(_local_path(v, names, scope, depth + 1) for v in values)
    return False


def _literal(node: ast.expr | None, scope: Scope) -> str | None:
    """A string constant, directly, through names bound only to it, or built from such."""
    value = constant(node, scope)
    return value if isinstance(value, str) else None


def _truth(node: ast.expr | None, scope: Scope) -> bool | None:
    if node is None:
        return False
    value = constant(node, scope)
    return None if value is UNKNOWN else bool(value)


def read_pull(rule: HubRule, call: ast.Call, names: Names, scope: Scope) -> Pull | None:
    """What ``call`` pulls; ``None`` when it reads a local folder or builder."""
    if _truth(keyword(call, "local_files_only"), scope) is True:
        return None
    if rule.runs_code and _literal(keyword(call, "source"), scope) == "local":
        return None
    node = _target(rule, call, scope)
    target = _literal(node, scope)
    if target is not None and _is_local(target, rule):
        return None
    if target is None and _local_path(node, names, scope):
        return None
    if rule.ref_in_id:
        ref = target.split(":", 1)[1] if target and ":" in target else None
        pinned: bool | None = bool(ref and COMMIT.match(ref)) if target is not None else None
    else:
        given = keyword(call, rule.revision_keyword)
        ref = _literal(given, scope)
        pinned = bool(COMMIT.match(ref)) if ref is not None else (None if given else False)
    remote = True if rule.runs_code else _truth(keyword(call, "trust_remote_code"), scope)
    return Pull(target=target, pinned=pinned, ref=ref, remote_code=remote)


def check_hub(call: ast.Call, name: str | None, names: Names, scope: Scope) -> Hit | None:
    """A hit for a hub pull that is not pinned to a commit or that runs the hub's code."""
    rule = rule_for(call, name)
    if rule is None:
        return None
    pull = read_pull(rule, call, names, scope)
    if pull is None or (pull.remote_code is None and pull.pinned is None):
        # None: a local folder. Both unknown: the caller passes its own revision and
        # trust_remote_code through, and is where they are chosen.
        return None
    shown = name or f"...{method_name(call)}"
    what = f"{rule.what} {pull.target!r}" if pull.target else f"{rule.what} named by a variable"
    pin = "a commit" if pull.pinned else (f"ref {pull.ref!r}" if pull.ref else "no revision")
    fix = 'Pin revision="<40-hex commit sha>" (a branch or tag can be moved under you).'
    evidence = {"call": shown, "target": pull.target, "revision": pull.ref}
    if pull.remote_code is not False:
        severity = _remote_code_severity(pull)
        rule_id = "remote-code-pinned" if pull.pinned else "trust-remote-code"
        runs = "running its hubconf.py" if rule.runs_code else "with trust_remote_code"
        message = f"{shown} pulls {what} {runs} at {pin}: the hub's code runs here"
        fix = (
            "Vendor the model code into your repository after review, or pin "
            'revision="<commit sha>" and review that commit; never trust_remote_code on a '
            "moving branch."
        )
    elif pull.pinned is False:
        severity = Severity.MEDIUM if pull.target else Severity.LOW
        rule_id = "hub-unpinned"
        message = f"{shown} pulls {what} at {pin}: what you load can change without notice"
    else:
        return None
    return Hit(rule_id, severity, call.lineno, message, fix, evidence)


def _remote_code_severity(pull: Pull) -> Severity:
    if pull.pinned:
        return Severity.MEDIUM
    if pull.pinned is None or pull.remote_code is None:
        return Severity.HIGH
    return Severity.CRITICAL if pull.target else Severity.HIGH
