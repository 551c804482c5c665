"""Where a value comes from: a URL, bytes fetched from the network, or a file a hub download
left on disk, followed through variables, calls and string building inside one function.

The analysis is flow-insensitive and over-approximates: a name is remote when any assignment
to it in its function (or at module level) is. That is what a reviewer wants for loaders and
``eval``: one remote path into ``pickle.load`` is enough.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

from labwarden.checks.code.names import Names

_URL = re.compile(r"^(?:https?|ftp|s3|gs|gcs|hf|az|abfs|abfss|wasbs?)://", re.IGNORECASE)


class Origin(str, Enum):
    """Where a value comes from, worst first."""

    NETWORK = "network"
    """Bytes or text fetched over the network (``requests.get(u).content``)."""
    URL = "url"
    """A URL (``"https://..."``, ``"s3://..."``)."""
    DOWNLOAD = "download"
    """A local path of something a hub or URL download wrote (``hf_hub_download(...)``)."""


FETCHERS = frozenset(
    {
        "requests.get",
        "requests.post",
        "requests.request",
        "requests.Session",
        "requests.session",
        "httpx.get",
        "httpx.post",
        "httpx.request",
        "httpx.Client",
        "urllib.request.urlopen",
        "urllib2.urlopen",
        "urllib3.request",
        "urllib3.PoolManager",
        "aiohttp.ClientSession",
        "boto3.client",
        "fsspec.open",
        "smart_open.open",
    }
)
"""Calls whose result is (or hands out) content from the network."""

DOWNLOADERS = frozenset(
    {
        "huggingface_hub.hf_hub_download",
        "huggingface_hub.snapshot_download",
        "huggingface_hub.cached_download",
        "huggingface_hub.file_download.hf_hub_download",
        "transformers.utils.cached_file",
        "urllib.request.urlretrieve",
        "wget.download",
        "gdown.download",
        "keras.utils.get_file",
        "torch.hub.download_url_to_file",
        "torchvision.datasets.utils.download_url",
        "modelscope.snapshot_download",
    }
)
"""Calls that return the local path of something they downloaded."""

_MAX_DEPTH = 8


@dataclass(slots=True)
class Scope:
    """The assignments of one function (or of the module's top level), by name."""

    values: dict[str, list[ast.expr]] = field(default_factory=dict)
    outer: Scope | None = None

    def lookup(self, name: str) -> list[ast.expr]:
        """Every value assigned to ``name`` here, or in the enclosing scope when none is."""
        if name in self.values:
            return self.values[name]
        return self.outer.lookup(name) if self.outer else []


def scope_of(
    body: list[ast.stmt], outer: Scope | None = None, params: ast.arguments | None = None
) -> Scope:
    """The assignments in ``body`` (not inside nested functions or classes); ``params`` are
    the function's parameters, which hide names of the enclosing scope."""
    scope = Scope(outer=outer)
    if params is not None:
        for arg, default in _parameters(params):
            # A parameter is its default as far as a reader of this function can tell.
            scope.values[arg] = [default] if default is not None else []
    for node in _own_nodes(body):
        for target, value in _bindings(node):
            scope.values.setdefault(target, []).append(value)
    return scope


def _parameters(params: ast.arguments) -> Iterator[tuple[str, ast.expr | None]]:
    positional = [*params.posonlyargs, *params.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(params.defaults))
    defaults += list(params.defaults)
    yield from ((a.arg, d) for a, d in zip(positional, defaults, strict=True))
    yield from ((a.arg, d) for a, d in zip(params.kwonlyargs, params.kw_defaults, strict=True))
    for extra in (params.vararg, params.kwarg):
        if extra is not None:
            yield extra.arg, None


def constant(node: ast.expr | None, scope: Scope, depth: int = 0) -> object:
    """The constant value of ``node`` when it has exactly one: a literal, a name bound only to
    one, or a string built from them (f-strings, ``+``); :data:`UNKNOWN` otherwise."""
    if node is None or depth > _MAX_DEPTH:
        return UNKNOWN
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        values = scope.lookup(node.id)
        found = {repr(constant(v, scope, depth + 1)) for v in values}
        return constant(values[0], scope, depth + 1) if len(found) == 1 else UNKNOWN
    if isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            inner = part.value if isinstance(part, ast.FormattedValue) else part
            value = constant(inner, scope, depth + 1)
            if value is UNKNOWN or (isinstance(part, ast.FormattedValue) and part.format_spec):
                return UNKNOWN
            parts.append(str(value))
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = constant(node.left, scope, depth + 1), constant(node.right, scope, depth + 1)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
    return UNKNOWN


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
"""What :func:`constant` returns for a value it cannot tell."""


def splat_keyword(call: ast.Call, name: str, scope: Scope) -> ast.expr | None:
    """The value ``**options`` gives keyword ``name``, when ``options`` is bound to a dict
    literal or ``dict(...)`` call that names it."""
    for item in call.keywords:
        if item.arg is None and isinstance(item.value, ast.Name):
            for value in scope.lookup(item.value.id):
                found = _dict_entry(value, name)
                if found is not None:
                    return found
    return None


def _dict_entry(value: ast.expr, name: str) -> ast.expr | None:
    if isinstance(value, ast.Dict):
        for key, entry in zip(value.keys, value.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == name:
                return entry
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict":
        for item in value.keywords:
            if item.arg == name:
                return item.value
    return None


def _own_nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    nested = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    stack: list[ast.AST] = [node for node in reversed(body) if not isinstance(node, nested)]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, nested):
                stack.append(child)


def _bindings(node: ast.AST) -> Iterator[tuple[str, ast.expr]]:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            yield from _targets(target, node.value)
    elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and node.value is not None:
        if isinstance(node.target, ast.Name):
            yield node.target.id, node.value
    elif isinstance(node, ast.With | ast.AsyncWith):
        for item in node.items:
            if item.optional_vars is not None:
                yield from _targets(item.optional_vars, item.context_expr)
    elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
        yield from _targets(node.target, node.iter)


def _targets(target: ast.expr, value: ast.expr) -> Iterator[tuple[str, ast.expr]]:
    if isinstance(target, ast.Name):
        yield target.id, value
    elif isinstance(target, ast.Tuple | ast.List):
        parts = _unpacked(value, len(target.elts))
        for element, part in zip(target.elts, parts, strict=True):
            yield from _targets(element, part)


def _unpacked(value: ast.expr, count: int) -> list[ast.expr]:
    """What each of ``count`` unpacked targets gets: the items of a same-length tuple,
    ``zip``'s arguments and ``enumerate``'s iterable (in a loop), else the whole value
    (``path, _ = urlretrieve(u)``)."""
    if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == count:
        return list(value.elts)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and not value.keywords:
        if value.func.id == "zip" and len(value.args) == count:
            return list(value.args)
        if value.func.id == "enumerate" and count == 2 and len(value.args) == 1:
            return [value, value.args[0]]
    return [value] * count


@dataclass(slots=True)
class Tracer:
    """Finds the origin of expressions of one module."""

    names: Names

    def origin(self, node: ast.expr | None, scope: Scope, depth: int = 0) -> Origin | None:
        """The worst origin among what ``node`` is built from; ``None`` for local or unknown."""
        if node is None or depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Constant):
            return Origin.URL if isinstance(node.value, str) and _URL.match(node.value) else None
        if isinstance(node, ast.Name):
            return _worst(self.origin(v, scope, depth + 1) for v in scope.lookup(node.id))
        if isinstance(node, ast.Call):
            return self._call(node, scope, depth)
        return _worst(self.origin(child, scope, depth + 1) for child in _parts(node))

    def _call(self, node: ast.Call, scope: Scope, depth: int) -> Origin | None:
        name = self.names.call_name(node)
        if name in FETCHERS:
            return Origin.NETWORK
        if name in DOWNLOADERS:
            return Origin.DOWNLOAD
        inner = _worst(
            self.origin(child, scope, depth + 1)
            for child in (*node.args, *(k.value for k in node.keywords))
        )
        if isinstance(node.func, ast.Attribute):
            receiver = self.origin(node.func.value, scope, depth + 1)
            if receiver is Origin.NETWORK:
                return Origin.NETWORK  # session.get(u), response.json(), stream.read()
            if receiver is Origin.URL and inner is None:
                return Origin.URL  # "https://...".format(x), url.strip()
            inner = _worst((inner, receiver))
        return inner


def _parts(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.Attribute | ast.Subscript | ast.Starred | ast.Await):
        return [node.value]
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.JoinedStr):
        return [v.value if isinstance(v, ast.FormattedValue) else v for v in node.values]
    if isinstance(node, ast.IfExp):
        return [node.body, node.orelse]
    if isinstance(node, ast.BoolOp):
        return list(node.values)
    if isinstance(node, ast.Tuple | ast.List):
        return list(node.elts)
    return []


_RANK = {Origin.NETWORK: 3, Origin.URL: 2, Origin.DOWNLOAD: 1}


def _worst(origins: Iterator[Origin | None] | tuple[Origin | None, ...]) -> Origin | None:
    best: Origin | None = None
    for found in origins:
        if found is not None and (best is None or _RANK[found] > _RANK[best]):
            best = found
            if best is Origin.NETWORK:
                break
    return best
