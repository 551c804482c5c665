"""The import policy: an allowlist judged first, a denylist of dangerous callables, and everything
else an unknown import. Both lists are TOML data files that users can extend."""

from __future__ import annotations

import _compat_pickle
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


def normalize(module: str, name: str) -> tuple[str, str]:
    """The module and name pickle would really resolve (Python 2 names mapped, os aliases)."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        module, name = _compat_pickle.NAME_MAPPING[(module, name)]
    module = _compat_pickle.IMPORT_MAPPING.get(module, module)
    head, _, rest = module.partition(".")
    if head in _ALIASES:
        module = _ALIASES[head] + ("." + rest if rest else "")
    return module, name


@dataclass(slots=True)
class ImportPolicy:
    """Allowlist, denylist and the cache of verdicts; build it with :func:`load_policy`."""

    allow_exact: set[str] = field(default_factory=set)
    allow_prefix: list[str] = field(default_factory=list)
    deny: dict[str, _DenyEntry] = field(default_factory=dict)
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

    def _judge(self, module: str, name: str) -> Verdict:  # noqa: C901
        mod, nm = normalize(module, name)
        full = f"{mod}.{nm}" if nm else mod
        parts = full.split(".")
        # Denylist: the full name or any prefix of it ("os" covers "os.path.join").
        for end in range(len(parts), 0, -1):
            entry = self.deny.get(".".join(parts[:end]))
            if entry is not None:
                return Verdict(
                    "deny",
                    entry.severity,
                    entry.category,
                    entry.reason,
                    entry.remediation,
                    ".".join(parts[:end]),
                )
        # A denylisted module reached through another module's attributes ("torch.os.system").
        name_parts = nm.split(".")
        for start in range(1, len(parts)):
            for end in range(len(parts), start, -1):
                entry = self.deny.get(".".join(parts[start:end]))
                if entry is not None and parts[start] in DANGEROUS_PARTS:
                    return Verdict(
                        "chain",
                        Severity.CRITICAL,
                        entry.category,
                        f"reaches {'.'.join(parts[start:end])} through an attribute chain: "
                        + entry.reason,
                        entry.remediation,
                        ".".join(parts[start:end]),
                    )
        if full in self.allow_exact:
            return Verdict("allow", None, entry=full)
        if len(name_parts) == 1 and not (nm.startswith("__") and nm.endswith("__")):
            for prefix in self.allow_prefix:
                if mod == prefix or mod.startswith(prefix + "."):
                    if nm in DANGEROUS_PARTS or any(p in DANGEROUS_PARTS for p in mod.split(".")):
                        break
                    return Verdict("allow", None, entry=prefix + ".*")
        dunders = [p for p in parts if p in DANGEROUS_DUNDERS]
        risky = [p for p in parts[1:] if p in DANGEROUS_PARTS]
        if dunders or risky:
            what = ", ".join(dunders + risky)
            return Verdict(
                "chain",
                Severity.CRITICAL if dunders or len(name_parts) > 1 else Severity.HIGH,
                "attribute-chain",
                f"walks to {what}, which reaches the interpreter or the operating system",
                "Do not load this file: no legitimate model needs this import.",
                what,
            )
        if mod.split(".")[0].startswith("_") and mod not in ("__main__", "_codecs"):
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
            if not isinstance(section, dict) or not isinstance(section.get("names"), list):
                raise InputError(f"{source}: section [{category}] needs a 'names' list")
            section_kind = kind or str(section.get("kind", "deny" if "severity" in section else ""))
            if section_kind not in ("allow", "deny"):
                section_kind = "deny" if "remediation" in section else "allow"
            for raw in section["names"]:
                entry = str(raw).strip()
                if not entry:
                    continue
                if section_kind == "allow":
                    if entry.endswith(".*"):
                        self.allow_prefix.append(entry[:-2])
                    else:
                        self.allow_exact.add(entry)
                    continue
                try:
                    severity = Severity.parse(str(section.get("severity", "critical")))
                except ValueError as exc:
                    raise InputError(f"{source}: [{category}] {exc}") from exc
                self.deny[entry] = _DenyEntry(
                    category,
                    str(section.get("reason", "is a known-dangerous callable")),
                    str(section.get("remediation", "Do not load this file.")),
                    severity,
                )
        self._cache.clear()


def _builtin(name: str) -> dict[str, Any]:
    text = (
        resources.files("labwarden.checks.modelfile")
        .joinpath("data")
        .joinpath(name)
        .read_text("utf-8")
    )
    return tomllib.loads(text)


def load_policy(
    allowlists: list[Path] | None = None, denylists: list[Path] | None = None
) -> ImportPolicy:
    """The shipped lists plus any user files (allowlists first, denylists after)."""
    policy = ImportPolicy()
    policy._add(_builtin("allowlist.toml"), "builtin:allowlist.toml", "allow")
    policy._add(_builtin("denylist.toml"), "builtin:denylist.toml", "deny")
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
