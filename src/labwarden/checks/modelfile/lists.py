"""The import policy: an allowlist judged first, a denylist of dangerous callables, and everything
else an unknown import. Both lists are TOML data files that users can extend."""

from __future__ import annotations

import _compat_pickle
import fnmatch
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from labwarden.core.errors import InputError
from labwarden.core.values import Severity

# Names that are dangerous wherever they appear in an attribute chain ("numpy.core.os.system").
DANGEROUS_PARTS = frozenset(
    {
        "os",
        "posix",
        "nt",
        "sys",
        "subprocess",
        "builtins",
        "__builtins__",
        "__builtin__",
        "importlib",
        "__import__",
        "eval",
        "exec",
        "execfile",
        "compile",
        "system",
        "popen",
        "spawn",
        "spawnv",
        "execv",
        "execve",
        "fork_exec",
        "getattr",
        "setattr",
        "globals",
        "pickle",
        "_pickle",
        "marshal",
        "loads",
        "shutil",
        "socket",
        "ctypes",
        "runpy",
        "pty",
        "open",
        "run",
        "call",
        "check_output",
        "import_module",
        "resolve_name",
    }
)
# Dunder names a pickle never needs to reach: they walk from any object to the interpreter.
DANGEROUS_DUNDERS = frozenset(
    {
        "__globals__",
        "__builtins__",
        "__subclasses__",
        "__code__",
        "__dict__",
        "__class__",
        "__bases__",
        "__base__",
        "__mro__",
        "__reduce__",
        "__reduce_ex__",
        "__setstate__",
        "__getattribute__",
        "__getattr__",
        "__import__",
        "__loader__",
        "__spec__",
        "__init__",
        "__call__",
        "__func__",
        "__self__",
        "__closure__",
        "__defaults__",
        "__kwdefaults__",
        "__module__",
        "__qualname__",
    }
)
_ALIASES = {"posix": "os", "nt": "os", "__builtin__": "builtins", "__builtins__": "builtins"}


@dataclass(frozen=True, slots=True)
class Verdict:
    """How the policy judges one import."""

    kind: str
    """``allow``, ``deny``, ``chain`` (dangerous attribute chain) or ``unknown``."""
    severity: Severity | None
    category: str = ""
    reason: str = ""
    remediation: str = ""
    entry: str = ""
    """The list entry that matched."""


@dataclass(frozen=True, slots=True)
class _DenyEntry:
    category: str
    reason: str
    remediation: str
    severity: Severity
    source: str = ""


def normalize(module: str, name: str) -> tuple[str, str]:
    """The module and name pickle would really resolve (Python 2 names mapped, os aliases)."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        module, name = _compat_pickle.NAME_MAPPING[(module, name)]
    module = _compat_pickle.IMPORT_MAPPING.get(module, module)
    head, _, rest = module.partition(".")
    if head in _ALIASES:
        module = _ALIASES[head] + ("." + rest if rest else "")
    return module, name


def normalize_entry(entry: str) -> str:
    """A list entry with its leading module normalized (``__builtin__.eval`` -> ``builtins.eval``);
    a trailing ``.*`` is dropped, since an entry already covers everything below it."""
    entry = entry.strip().removesuffix(".*")
    head, dot, rest = entry.partition(".")
    if "*" in head:
        return entry
    module, _ = normalize(head, "")
    return module + dot + rest


def _prefix_match(table: dict[str, _DenyEntry], parts: list[str]) -> tuple[str, _DenyEntry] | None:
    """The longest entry of ``table`` that is ``parts`` or a prefix of it."""
    for end in range(len(parts), 0, -1):
        key = ".".join(parts[:end])
        entry = table.get(key)
        if entry is not None:
            return key, entry
    return None


@dataclass(slots=True)
class ImportPolicy:
    """Allowlist, denylists and the cache of verdicts; build it with :func:`load_policy`.

    The order of judgement: the denylist (shipped and user entries, exact, prefix or ``*``
    pattern), the exact allowlist, dangerous attribute chains, re-exports resolved to their real
    module, the peers' denylists (``peers.toml``), the wildcard allowlist, then heuristics."""

    allow_exact: set[str] = field(default_factory=set)
    allow_prefix: list[str] = field(default_factory=list)
    """``package.*`` entries: they admit classes (a callable that only builds an object)."""
    allow_prefix_any: list[str] = field(default_factory=list)
    """``package.*`` entries of sections with ``wildcards = "any-name"``: functions too."""
    deny: dict[str, _DenyEntry] = field(default_factory=dict)
    deny_patterns: dict[str, _DenyEntry] = field(default_factory=dict)
    advisory: dict[str, _DenyEntry] = field(default_factory=dict)
    reexports: dict[str, str] = field(default_factory=dict)
    """A name found in many modules (``partial``) and the real object (``functools.partial``)."""
    sources: list[str] = field(default_factory=list)
    _cache: dict[tuple[str, str], Verdict] = field(default_factory=dict)

    def judge(self, module: str, name: str) -> Verdict:
        """The verdict for ``module`` + ``name`` as a GLOBAL/STACK_GLOBAL/INST would import it."""
        key = (module, name)
        found = self._cache.get(key)
        if found is None:
            found = self._judge(module, name)
            if len(self._cache) < 100_000:
                self._cache[key] = found
        return found

    def _judge(self, module: str, name: str) -> Verdict:
        mod, nm = normalize(module, name)
        full = f"{mod}.{nm}" if nm else mod
        parts = full.split(".")
        # An exact allowlist entry names one object deliberately, so it stands before the chain
        # heuristic: numpy.random._pickle.__generator_ctor is NumPy's own, not a path to _pickle.
        verdict = (
            self._denied(full, parts)
            or (Verdict("allow", None, entry=full) if full in self.allow_exact else None)
            or self._chained(parts)
            or self._reexported(mod, nm)
            or self._advised(parts)
            or self._wildcard(mod, nm)
            or _risky(parts, nm)
        )
        return verdict or _unknown(mod)

    def _denied(self, full: str, parts: list[str]) -> Verdict | None:
        """The denylist: the full name or any prefix of it ("os" covers "os.path.join")."""
        found = _prefix_match(self.deny, parts) or self._pattern_match(parts)
        if found is None:
            return None
        key, entry = found
        return Verdict("deny", entry.severity, entry.category, entry.reason, entry.remediation, key)

    def _pattern_match(self, parts: list[str]) -> tuple[str, _DenyEntry] | None:
        """The first ``*`` pattern matching ``parts`` or a prefix of it."""
        for end in range(len(parts), 0, -1):
            name = ".".join(parts[:end])
            for pattern, entry in self.deny_patterns.items():
                if fnmatch.fnmatchcase(name, pattern):
                    return pattern, entry
        return None

    def _chained(self, parts: list[str]) -> Verdict | None:
        """A denylisted module reached through another module's attributes ("torch.os.system")."""
        for start in range(1, len(parts)):
            if parts[start] not in DANGEROUS_PARTS:
                continue
            found = _prefix_match(self.deny, parts[start:])
            if found is not None:
                key, entry = found
                return Verdict(
                    "chain",
                    Severity.CRITICAL,
                    entry.category,
                    f"reaches {key} through an attribute chain: " + entry.reason,
                    entry.remediation,
                    key,
                )
        return None

    def _reexported(self, module: str, name: str) -> Verdict | None:
        """A dangerous object imported from a module that merely re-exports it
        (``scipy.spatial.distance.partial`` is ``functools.partial``)."""
        real = self.reexports.get(name.rsplit(".", 1)[-1])
        if real is None or f"{module}.{name}" == real:
            return None
        real_module, _, real_name = real.rpartition(".")
        verdict = self.judge(real_module, real_name)
        if verdict.kind not in ("deny", "chain"):
            return None
        return Verdict(
            "deny",
            verdict.severity,
            verdict.category,
            f"re-exports {real}, which {verdict.reason}",
            verdict.remediation,
            real,
        )

    def _advised(self, parts: list[str]) -> Verdict | None:
        found = _prefix_match(self.advisory, parts)
        if found is None:
            return None
        key, entry = found
        reason = f"{entry.reason} ({entry.source})" if entry.source else entry.reason
        return Verdict("deny", entry.severity, entry.category, reason, entry.remediation, key)

    def _wildcard(self, mod: str, nm: str) -> Verdict | None:
        """``package.*`` entries admit plain class names, never functions (a function admitted
        by namespace runs with the pickle's arguments: ``sklearn.utils._testing.assert_run_
        python_script_without_output``), dunders or dangerous names. Sections marked
        ``wildcards = "any-name"`` (compiled reconstruction helpers, metric functions) admit
        functions too."""
        if "." in nm or (nm.startswith("__") and nm.endswith("__")):
            return None
        if nm in DANGEROUS_PARTS or nm in self.reexports:
            return None
        if any(p in DANGEROUS_PARTS for p in mod.split(".")):
            return None
        prefixes = self.allow_prefix_any + (self.allow_prefix if class_like(nm) else [])
        for prefix in prefixes:
            if mod == prefix or mod.startswith(prefix + "."):
                return Verdict("allow", None, entry=prefix + ".*")
        return None

    def extend(self, path: Path) -> None:
        """Add the entries of a user allowlist or denylist file (kind decided by its sections)."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"{path}: not a readable TOML list: {exc}") from exc
        self._add(data, str(path), None)

    def _add(self, data: dict[str, Any], source: str, kind: str | None) -> None:
        self.sources.append(source)
        for category, section in data.items():
            if category == "reexports" and isinstance(section, dict):
                self.reexports.update({str(k): str(v) for k, v in section.items()})
                continue
            if not isinstance(section, dict) or not isinstance(section.get("names"), list):
                raise InputError(f"{source}: section [{category}] needs a 'names' list")
            self._add_section(category, section, source, kind)
        self._cache.clear()

    def _add_section(
        self, category: str, section: dict[str, Any], source: str, kind: str | None
    ) -> None:
        section_kind = kind or str(section.get("kind", "deny" if "severity" in section else ""))
        if section_kind not in ("allow", "deny", "advisory"):
            section_kind = "deny" if "remediation" in section else "allow"
        names = [str(raw).strip() for raw in section["names"] if str(raw).strip()]
        if section_kind == "allow":
            any_name = section.get("wildcards", "classes") == "any-name"
            for allowed in names:
                if allowed.endswith(".*"):
                    (self.allow_prefix_any if any_name else self.allow_prefix).append(allowed[:-2])
                else:
                    self.allow_exact.add(allowed)
            return
        try:
            severity = Severity.parse(str(section.get("severity", "critical")))
        except ValueError as exc:
            raise InputError(f"{source}: [{category}] {exc}") from exc
        entry = _DenyEntry(
            category,
            str(section.get("reason", "is a known-dangerous callable")),
            str(section.get("remediation", "Do not load this file.")),
            severity,
            str(section.get("source", "")),
        )
        for name in map(normalize_entry, names):
            if section_kind == "advisory":
                self.advisory.setdefault(name, entry)
            elif "*" in name:
                self.deny_patterns[name] = entry
            else:
                self.deny[name] = entry


def class_like(name: str) -> bool:
    """Whether ``name`` is spelled as a class (``LogisticRegression``, ``_PredictScorer``) or is
    Cython's generated unpickler of one (``__pyx_unpickle_CyHalfSquaredError``), which only
    rebuilds that class: it builds an object rather than running an arbitrary function."""
    if name.startswith("__pyx_unpickle_"):
        name = name[len("__pyx_unpickle_") :]
    return name.lstrip("_")[:1].isupper()


def _risky(parts: list[str], nm: str) -> Verdict | None:
    """Dunder names or dangerous names in an attribute chain."""
    dunders = [p for p in parts if p in DANGEROUS_DUNDERS]
    risky = [p for p in parts[1:] if p in DANGEROUS_PARTS]
    if not (dunders or risky):
        return None
    what = ", ".join(dunders + risky)
    return Verdict(
        "chain",
        Severity.CRITICAL if dunders or "." in nm else Severity.HIGH,
        "attribute-chain",
        f"walks to {what}, which reaches the interpreter or the operating system",
        "Do not load this file: no legitimate model needs this import.",
        what,
    )


def _unknown(mod: str) -> Verdict:
    if mod.split(".", maxsplit=1)[0].startswith("_") and mod not in ("__main__", "_codecs"):
        return Verdict(
            "unknown",
            Severity.HIGH,
            "private-module",
            "imports from a private (underscore) module, which models never need",
            "Treat as unsafe unless you know the module; load only in a sandbox.",
        )
    return Verdict(
        "unknown",
        Severity.MEDIUM,
        "unknown-import",
        "is on neither the allowlist nor the denylist; loading it imports and may run its code",
        "Confirm the module is trusted and add it to an allowlist file (--allowlist), "
        "or load the file only in a sandbox.",
    )


def builtin_text(name: str) -> str:
    """The text of a shipped list (``allowlist.toml``...)."""
    return (
        resources.files("labwarden.checks.modelfile")
        .joinpath("data")
        .joinpath(name)
        .read_text("utf-8")
    )


def _builtin(name: str) -> dict[str, Any]:
    return tomllib.loads(builtin_text(name))


def load_policy(
    allowlists: list[Path] | None = None, denylists: list[Path] | None = None
) -> ImportPolicy:
    """The shipped lists plus any user files (allowlists first, denylists after)."""
    policy = ImportPolicy()
    policy._add(_builtin("allowlist.toml"), "builtin:allowlist.toml", "allow")
    policy._add(_builtin("denylist.toml"), "builtin:denylist.toml", "deny")
    policy._add(_builtin("peers.toml"), "builtin:peers.toml", None)
    policy._add(_builtin("reexports.toml"), "builtin:reexports.toml", None)
    for path in allowlists or []:
        _extend(policy, path, "allow")
    for path in denylists or []:
        _extend(policy, path, "deny")
    return policy


def _extend(policy: ImportPolicy, path: Path, kind: str) -> None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: not a readable TOML list: {exc}") from exc
    policy._add(data, str(path), kind)
