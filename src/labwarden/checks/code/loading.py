"""Unsafe loading of models and data: calls that deserialize with pickle (or worse) and ``eval``
or ``exec`` of fetched text, as rules (data) and one evaluator."""

from __future__ import annotations

import ast

from labwarden.checks.code.interface import Hit, LoaderRule
from labwarden.checks.code.names import Names, has_kwargs_splat, keyword
from labwarden.checks.code.origins import UNKNOWN, Origin, Scope, Tracer, constant, splat_keyword
from labwarden.core.values import Severity

_PICKLE_FIX = (
    "Never unpickle files you did not write yourself: store weights as safetensors and data as "
    "Parquet/NumPy without objects, or verify a signed digest before loading."
)

LOADERS: tuple[LoaderRule, ...] = (
    LoaderRule(
        id="unsafe-load-pickle",
        title="pickle deserialization",
        names=(
            "pickle.load",
            "pickle.loads",
            "pickle.Unpickler",
            "pandas.read_pickle",
            "shelve.open",
            "jsonpickle.decode",
        ),
        severity=Severity.HIGH,
        fix=_PICKLE_FIX,
    ),
    LoaderRule(
        id="unsafe-load-dill",
        title="dill/cloudpickle deserialization",
        names=(
            "dill.load",
            "dill.loads",
            "dill.Unpickler",
            "cloudpickle.load",
            "cloudpickle.loads",
        ),
        severity=Severity.HIGH,
        fix=_PICKLE_FIX,
    ),
    LoaderRule(
        id="unsafe-load-joblib",
        title="joblib.load (pickle underneath)",
        names=("joblib.load",),
        severity=Severity.HIGH,
        fix="Load scikit-learn models with skops.io.load(trusted=[...]) or ONNX; never joblib "
        "files from others.",
    ),
    LoaderRule(
        id="unsafe-load-torch",
        title="torch.load without weights_only=True",
        names=("torch.load", "torch.hub.load_state_dict_from_url"),
        severity=Severity.MEDIUM,
        fix="Pass weights_only=True (the default only from PyTorch 2.6), or store weights as "
        "safetensors and load them with safetensors.torch.load_file.",
        safe_keyword="weights_only",
        safe_values=("True",),
    ),
    LoaderRule(
        id="unsafe-load-numpy",
        title="numpy.load with allow_pickle=True",
        names=("numpy.load",),
        severity=Severity.MEDIUM,
        fix="Drop allow_pickle=True: save object arrays as plain arrays, JSON or Parquet.",
        unsafe_keyword="allow_pickle",
        unsafe_values=("True",),
    ),
    LoaderRule(
        id="unsafe-load-yaml",
        title="yaml.load without a safe loader",
        names=("yaml.load", "yaml.load_all"),
        severity=Severity.HIGH,
        fix="Use yaml.safe_load (or Loader=yaml.SafeLoader / yaml.CSafeLoader).",
        safe_keyword="Loader",
        safe_values=("SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader", "FullLoader"),
        keyword_position=1,
    ),
    LoaderRule(
        id="unsafe-load-yaml",
        title="yaml.unsafe_load",
        names=("yaml.unsafe_load", "yaml.unsafe_load_all"),
        severity=Severity.HIGH,
        fix="Use yaml.safe_load.",
    ),
    LoaderRule(
        id="unsafe-load-yaml",
        title="ruamel.yaml with typ='unsafe'",
        names=("ruamel.yaml.YAML",),
        severity=Severity.HIGH,
        fix="Use YAML(typ='safe').",
        unsafe_keyword="typ",
        unsafe_values=("unsafe",),
    ),
    LoaderRule(
        id="unsafe-load-keras",
        title="Keras load_model with safe_mode=False",
        names=(
            "keras.models.load_model",
            "keras.saving.load_model",
            "keras.src.saving.saving_api.load_model",
        ),
        severity=Severity.HIGH,
        fix="Keep safe_mode=True (the default): Lambda layers then cannot run code on load.",
        unsafe_keyword="safe_mode",
        unsafe_values=("False",),
    ),
)

LOADER_NAMES: frozenset[str] = frozenset(n for rule in LOADERS for n in rule.names)
_BY_NAME: dict[str, LoaderRule] = {n: rule for rule in LOADERS for n in rule.names}

_MAX_DEPTH = 8
"""How many names deep a keyword's value is followed (``a = b; b = a`` ends there)."""

EVALUATORS = frozenset({"eval", "exec", "compile", "builtins.eval", "builtins.exec"})

_REMOTE = {
    Origin.NETWORK: "bytes fetched from the network",
    Origin.URL: "a URL",
    Origin.DOWNLOAD: "a file downloaded from a hub or URL",
}


def _keyword_value(rule: LoaderRule, call: ast.Call, name: str, scope: Scope) -> ast.expr | None:
    found = keyword(call, name) or splat_keyword(call, name, scope)
    position = rule.keyword_position
    if found is None and position is not None and name == rule.safe_keyword:
        return call.args[position] if len(call.args) > position else None
    return found


def _texts(node: ast.expr, names: Names, scope: Scope, depth: int = 0) -> set[str] | None:
    """What a keyword's value may be, as text (``True``, ``SafeLoader``); ``None`` when a value
    cannot be told. Names bound to constants (a parameter's default) are followed."""
    qualified = names.qualified(node)
    if qualified is not None:
        return {qualified.rsplit(".", 1)[-1]}
    if isinstance(node, ast.Attribute):
        return {node.attr}
    value = constant(node, scope)
    if value is not UNKNOWN:
        return {str(value)}
    if isinstance(node, ast.Name) and depth < _MAX_DEPTH:
        bound = scope.lookup(node.id)
        texts = [_texts(v, names, scope, depth + 1) for v in bound]
        if bound and all(t is not None for t in texts):
            return set().union(*(t for t in texts if t is not None))
    return None


def _verdict(rule: LoaderRule, call: ast.Call, names: Names, scope: Scope) -> str | None:
    """``unsafe``, ``unknown`` (a keyword's value is not visible) or ``None`` when safe."""
    if rule.safe_keyword:
        value = _keyword_value(rule, call, rule.safe_keyword, scope)
        if value is None:
            return "unknown" if has_kwargs_splat(call) else "unsafe"
        texts = _texts(value, names, scope)
        if texts is None:
            return "unknown"
        return None if texts <= set(rule.safe_values) else "unsafe"
    if rule.unsafe_keyword:
        value = _keyword_value(rule, call, rule.unsafe_keyword, scope)
        if value is None:
            return None
        texts = _texts(value, names, scope)
        if texts is None:
            return "unknown"
        return "unsafe" if texts & set(rule.unsafe_values) else None
    return "unsafe"


def _loaded(rule: LoaderRule, call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    for name in rule.path_keywords:
        found = keyword(call, name)
        if found is not None:
            return found
    return None


def check_loader(
    call: ast.Call, name: str, names: Names, tracer: Tracer, scope: Scope
) -> Hit | None:
    """A hit when ``call`` (to ``name``) loads unsafely; ``None`` otherwise."""
    rule = _BY_NAME.get(name)
    if rule is None:
        return None
    verdict = _verdict(rule, call, names, scope)
    if verdict is None:
        return None
    origin = tracer.origin(_loaded(rule, call), scope)
    severity = rule.severity
    message = f"{rule.title}: {name}(...)"
    if origin is not None:
        severity = Severity.CRITICAL
        message += f" of {_REMOTE[origin]}: whoever controls it runs code on this machine"
    elif verdict == "unknown":
        severity = Severity.LOW
        message += f" ({rule.safe_keyword or rule.unsafe_keyword} not visible here)"
    else:
        message += ": a crafted file runs code when loaded"
    return Hit(
        rule=rule.id,
        severity=severity,
        line=call.lineno,
        message=message,
        fix=rule.fix,
        evidence={"call": name, "origin": origin.value if origin else "local"},
    )


def check_eval(call: ast.Call, name: str, tracer: Tracer, scope: Scope) -> Hit | None:
    """A hit when ``eval``/``exec``/``compile`` runs text fetched from the network or a hub."""
    if name not in EVALUATORS or not call.args:
        return None
    origin = tracer.origin(call.args[0], scope)
    if origin not in (Origin.NETWORK, Origin.DOWNLOAD):
        return None
    builtin = name.rsplit(".", 1)[-1]
    return Hit(
        rule="eval-fetched",
        severity=Severity.CRITICAL,
        line=call.lineno,
        message=f"{builtin}() of {_REMOTE[origin]}: whoever controls it runs code here",
        fix="Never evaluate fetched text: parse data with json or ast.literal_eval, and ship "
        "code as reviewed, pinned packages.",
        evidence={"call": builtin, "origin": origin.value},
    )
