"""Python source: parse with :mod:`ast` (never import or run it) and apply the loading and hub
rules to every call that could be one, each in the scope of the function it is in.

One walk of the tree collects imports, assignments and the candidate calls (those whose name
ends like a rule's function); scopes are built only for functions that hold a candidate, and a
text without any rule's word is not parsed at all.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

from labwarden.checks.code.hub import HUB_METHODS, HUB_NAMES, check_hub
from labwarden.checks.code.interface import Hit
from labwarden.checks.code.loading import EVALUATORS, LOADER_NAMES, check_eval, check_loader
from labwarden.checks.code.names import Names
from labwarden.checks.code.origins import Scope, Tracer, scope_of
from labwarden.core.values import Severity

_CANDIDATES = LOADER_NAMES | HUB_NAMES
_BUILTINS = frozenset({"eval", "exec", "compile"})
TERMINALS = frozenset(
    {n.rsplit(".", 1)[-1] for n in _CANDIDATES} | HUB_METHODS | _BUILTINS | {"load", "loads"}
)
"""Last parts of every callable a rule is about: a call ending otherwise is not looked at."""
_WORDS = re.compile("|".join(sorted(TERMINALS | {"pickle", "yaml", "keras", "hub"})))

Function = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


def scan_python(text: str, member: str | None = None) -> list[Hit]:
    """The hits in one Python text; a syntax error is one informational hit."""
    if not _WORDS.search(text):
        return []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences in the scanned code
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        line = getattr(exc, "lineno", None) or 0
        reason = getattr(exc, "msg", None) or type(exc).__name__
        message = f"not valid Python, not analysed: {reason}"
        return [Hit("unparsable-python", Severity.INFO, line, message, member=member)]
    try:
        hits = list(_scan_tree(tree))
    except RecursionError:
        return [Hit("unparsable-python", Severity.INFO, 0, "nested too deeply to analyse", "")]
    if member is None:
        return hits
    return [_with_member(hit, member) for hit in hits]


def _with_member(hit: Hit, member: str) -> Hit:
    return Hit(hit.rule, hit.severity, hit.line, hit.message, hit.fix, hit.evidence, member)


@dataclass(slots=True)
class _Walk:
    """What one walk of a module collects."""

    bindings: list[ast.AST] = field(default_factory=list)
    calls: list[tuple[ast.Call, tuple[Function, ...]]] = field(default_factory=list)


def _walk(tree: ast.Module) -> _Walk:
    found = _Walk()
    stack: list[tuple[ast.AST, tuple[Function, ...]]] = [(tree, ())]
    while stack:
        node, chain = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom | ast.Assign):
            found.bindings.append(node)
        elif isinstance(node, ast.Call) and _may_match(node):
            found.calls.append((node, chain))
        inner = (*chain, node) if isinstance(node, Function) else chain
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))
    found.calls.sort(key=lambda item: (item[0].lineno, item[0].col_offset))
    return found


def _may_match(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr in TERMINALS
    return isinstance(func, ast.Name | ast.Call)


class _Scopes:
    """Scopes of the functions that hold a candidate call, built on first use."""

    def __init__(self, tree: ast.Module) -> None:
        self._tree = tree
        self._built: dict[int, Scope] = {}

    def of(self, chain: tuple[Function, ...]) -> Scope:
        key = id(chain[-1]) if chain else 0
        if key not in self._built:
            if not chain:
                self._built[key] = scope_of(self._tree.body)
            else:
                function = chain[-1]
                body: list[ast.stmt] = (
                    function.body if isinstance(function.body, list) else [ast.Expr(function.body)]
                )
                self._built[key] = scope_of(body, self.of(chain[:-1]), function.args)
        return self._built[key]


def _scan_tree(tree: ast.Module) -> Iterator[Hit]:
    walked = _walk(tree)
    names = Names.of_nodes(walked.bindings)
    tracer = Tracer(names)
    scopes = _Scopes(tree)
    for call, chain in walked.calls:
        name = _name_of(call, names)
        if name is None and not isinstance(call.func, ast.Attribute):
            continue
        scope = scopes.of(chain)
        if name in EVALUATORS:
            hit = check_eval(call, name, tracer, scope)
        elif name in LOADER_NAMES:
            hit = check_loader(call, name, names, tracer, scope)
        else:
            hit = check_hub(call, name, names, scope)
        if hit is not None:
            yield hit


def _name_of(call: ast.Call, names: Names) -> str | None:
    if (
        isinstance(call.func, ast.Name)
        and call.func.id in _BUILTINS
        and call.func.id not in names.aliases
    ):
        return call.func.id
    return names.call_name(call, _CANDIDATES)
