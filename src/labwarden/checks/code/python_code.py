"""Python source: parse with :mod:`ast` (never import or run it) and apply the loading and hub
rules to every call, each in the scope of the function it is in."""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator

from labwarden.checks.code.hub import HUB_NAMES, check_hub
from labwarden.checks.code.interface import Hit
from labwarden.checks.code.loading import EVALUATORS, LOADER_NAMES, check_eval, check_loader
from labwarden.checks.code.names import Names
from labwarden.checks.code.origins import Scope, Tracer, scope_of
from labwarden.core.values import Severity

_CANDIDATES = LOADER_NAMES | HUB_NAMES
_BUILTINS = frozenset({"eval", "exec", "compile"})


def scan_python(text: str, member: str | None = None) -> list[Hit]:
    """The hits in one Python text; a syntax error is one informational hit."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences in the scanned code
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        line = getattr(exc, "lineno", None) or 0
        reason = getattr(exc, "msg", None) or type(exc).__name__
        return [
            Hit(
                rule="unparsable-python",
                severity=Severity.INFO,
                line=line,
                message=f"not valid Python, not analysed: {reason}",
                member=member,
            )
        ]
    try:
        hits = list(_scan_tree(tree))
    except RecursionError:
        return [Hit("unparsable-python", Severity.INFO, 0, "nested too deeply to analyse", "")]
    if member is None:
        return hits
    return [_with_member(hit, member) for hit in hits]


def _with_member(hit: Hit, member: str) -> Hit:
    return Hit(hit.rule, hit.severity, hit.line, hit.message, hit.fix, hit.evidence, member)


def _scan_tree(tree: ast.Module) -> Iterator[Hit]:
    names = Names.of(tree)
    tracer = Tracer(names)
    module = scope_of(tree.body)
    for call, scope in _calls(tree.body, module):
        name = _name_of(call, names)
        hit = None
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


def _calls(body: list[ast.stmt], scope: Scope) -> Iterator[tuple[ast.Call, Scope]]:
    """Every call with the scope of the function (or module level) that contains it."""
    stack: list[tuple[ast.AST, Scope]] = [(node, scope) for node in reversed(body)]
    while stack:
        node, current = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inner_body: list[ast.stmt] = (
                node.body if isinstance(node.body, list) else [ast.Expr(node.body)]
            )
            inner = scope_of(inner_body, current, node.args)
            stack.extend((child, inner) for child in reversed(inner_body))
            stack.extend((d, current) for d in getattr(node, "decorator_list", []))
            continue
        if isinstance(node, ast.Call):
            yield node, current
        stack.extend((child, current) for child in reversed(list(ast.iter_child_nodes(node))))
