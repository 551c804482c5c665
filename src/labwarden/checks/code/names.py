"""Which function a call really names, after imports, aliases and indirection.

``import torch as t; t.load(p)``, ``from pickle import loads as l; l(b)``,
``load = joblib.load; load(p)``, ``getattr(pickle, "load")(f)``, ``__import__("dill").loads(b)``
and ``from pickle import *; loads(b)`` all resolve to the qualified name of the library function,
so that rules are written once per function, not once per spelling.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field

EQUIVALENT: dict[str, str] = {
    "cPickle": "pickle",
    "_pickle": "pickle",
    "pickle5": "pickle",
    "six.moves.cPickle": "pickle",
    "tensorflow.keras": "keras",
    "tf_keras": "keras",
    "torch.serialization.load": "torch.load",
    "numpy.lib.npyio.load": "numpy.load",
    "sklearn.externals.joblib": "joblib",
    "ruamel.yaml": "ruamel.yaml",
}
"""Modules (or functions) that are the same thing under another name, as prefixes."""


def canonical(name: str) -> str:
    """``name`` with an equivalent module prefix replaced (``cPickle.load`` -> ``pickle.load``)."""
    for alias, real in EQUIVALENT.items():
        if name == alias or name.startswith(alias + "."):
            return real + name[len(alias) :]
    return name


@dataclass(slots=True)
class Names:
    """What the local names of one module stand for (imports and simple assignments)."""

    aliases: dict[str, str] = field(default_factory=dict)
    star_modules: list[str] = field(default_factory=list)
    """Modules imported with ``from m import *`` (a bare ``loads`` may come from any of them)."""

    @classmethod
    def of(cls, tree: ast.AST) -> Names:
        """Collect the imports of ``tree`` (anywhere in it) and the assignments of names to
        imported functions, such as ``load = pickle.load``."""
        return cls.of_nodes(ast.walk(tree))

    @classmethod
    def of_nodes(cls, nodes: Iterable[ast.AST]) -> Names:
        """:meth:`of` over nodes already collected (imports and assignments among them)."""
        names = cls()
        assignments: list[ast.Assign] = []
        for node in nodes:
            if isinstance(node, ast.Import):
                names._add_import(node)
            elif isinstance(node, ast.ImportFrom):
                names._add_import_from(node)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                assignments.append(node)
        # Two passes so that ``l = pickle.loads; m = l`` resolves whatever their order.
        for _ in range(2):
            for assign in assignments:
                names._add_assignment(assign)
        return names

    def _add_import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".", 1)[0]
                self.aliases.setdefault(top, top)

    def _add_import_from(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return  # relative imports name the project's own modules
        for alias in node.names:
            if alias.name == "*":
                self.star_modules.append(node.module)
            else:
                self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def _add_assignment(self, node: ast.Assign) -> None:
        target = node.targets[0]
        if not isinstance(target, ast.Name):
            return
        value = self.qualified(node.value)
        if value is not None and "." in value:
            self.aliases[target.id] = value

    def qualified(self, node: ast.expr) -> str | None:
        """The dotted name an expression stands for, or ``None`` when it is not a known one."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualified(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call):
            return self._dynamic(node)
        return None

    def _dynamic(self, node: ast.Call) -> str | None:
        """``getattr(m, "f")``, ``__import__("m")`` and ``importlib.import_module("m")``."""
        func = node.func
        literal = _first_literal(node.args[1:2] if _is_name(func, "getattr") else node.args[:1])
        if literal is None:
            return None
        if _is_name(func, "getattr") and node.args:
            base = self.qualified(node.args[0])
            return f"{base}.{literal}" if base else None
        if _is_name(func, "__import__") or self.qualified(func) == "importlib.import_module":
            return literal
        return None

    def call_name(self, call: ast.Call, candidates: Iterable[str] = ()) -> str | None:
        """The canonical qualified name of what ``call`` calls.

        A bare name that no import explains is looked up in the star-imported modules among
        ``candidates`` (the names the caller has rules for).
        """
        found = self.qualified(call.func)
        if found is not None:
            return canonical(found)
        if isinstance(call.func, ast.Name) and self.star_modules:
            for module in self.star_modules:
                guess = canonical(f"{module}.{call.func.id}")
                if guess in candidates:
                    return guess
        return None


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _first_literal(args: list[ast.expr]) -> str | None:
    if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
        return args[0].value
    return None


def method_name(call: ast.Call) -> str | None:
    """The attribute a call invokes (``from_pretrained`` in ``AutoModel.from_pretrained(x)``)."""
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """The value of keyword ``name`` in ``call``, if given."""
    for item in call.keywords:
        if item.arg == name:
            return item.value
    return None


def has_kwargs_splat(call: ast.Call) -> bool:
    """Whether ``**options`` may supply keywords the call does not show."""
    return any(item.arg is None for item in call.keywords)
