"""The manifest of a seal and its in-toto Statement v1 form (model-signing predicate v1.0).

The statement is what model-signing writes: one subject (the model name and a SHA-256 over every
resource digest in canonical order), ``predicate.serialization`` (method ``files`` or ``shards``,
hash type, symlink policy, ignored paths) and ``predicate.resources`` (name, algorithm, digest).
labwarden adds ``predicate.labwarden`` (which v1.0 verifiers ignore): file sizes, per-tensor
digests, every excluded path with its reason, and who sealed which asset version when.

:func:`parse_statement` treats its input as hostile: every field is type-checked, paths must be
relative and clean, and the subject digest must match the resources.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal

from labwarden.seal.errors import SealFormatError
from labwarden.seal.hashing import ALGORITHMS, TENSOR_ALGORITHM, Algorithm, HashedFile, Shard
from labwarden.seal.walk import Excluded

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://model_signing/signature/v1.0"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
EXTENSION = "labwarden"
EXTENSION_FORMAT = 1

Method = Literal["files", "shards"]
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_EXCLUDED_KINDS = {"ignored", "symlink", "special", "name"}


@dataclass(frozen=True, slots=True)
class SealedAsset:
    """Which catalog asset version a seal is."""

    id: int
    uri: str
    name: str
    kind: str
    version: int

    @property
    def ref(self) -> str:
        """``ID@vN``."""
        return f"{self.id}@v{self.version}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "id": self.id,
            "uri": self.uri,
            "name": self.name,
            "kind": self.kind,
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class SealInfo:
    """labwarden's own facts about a seal (absent from other tools' signatures)."""

    sealed_at: str
    sealed_by: str
    asset: SealedAsset | None = None


@dataclass(slots=True)
class Manifest:
    """Exactly which bytes make up an asset version, and what was left out."""

    name: str
    algorithm: Algorithm
    method: Method
    files: list[HashedFile]
    shard_size: int | None = None
    allow_symlinks: bool = False
    ignore_paths: list[str] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    info: SealInfo | None = None
    sizes_known: bool = True
    """False for signatures made by other tools, which record digests but no sizes."""

    @property
    def size(self) -> int:
        """Total bytes sealed (0 when sizes are unknown)."""
        return sum(f.size for f in self.files) if self.sizes_known else 0

    def resources(self) -> list[dict[str, str]]:
        """model-signing resources in its canonical order (by path parts, then shard offsets)."""
        out: list[tuple[tuple[Any, ...], dict[str, str]]] = []
        for f in self.files:
            parts = PurePosixPath(f.name).parts
            if self.method == "files":
                assert f.digest is not None
                out.append(
                    ((parts,), {"name": f.name, "algorithm": self.algorithm, "digest": f.digest})
                )
            else:
                algorithm = f"{self.algorithm}-sharded-{self.shard_size}"
                for s in f.shards:
                    out.append(
                        (
                            (parts, s.start, s.end),
                            {
                                "name": f"{f.name}:{s.start}:{s.end}",
                                "algorithm": algorithm,
                                "digest": s.digest,
                            },
                        )
                    )
        out.sort(key=lambda pair: pair[0])
        return [r for _, r in out]

    def root_digest(self) -> str:
        """SHA-256 over every resource digest in canonical order: the statement's subject."""
        return _root_digest(self.resources())

    def serialization(self) -> dict[str, Any]:
        """``predicate.serialization`` as model-signing writes it."""
        out: dict[str, Any] = {
            "method": self.method,
            "hash_type": self.algorithm,
            "allow_symlinks": self.allow_symlinks,
        }
        if self.method == "shards":
            out["shard_size"] = self.shard_size
        if self.ignore_paths:
            out["ignore_paths"] = list(self.ignore_paths)
        return out

    def to_statement(self) -> dict[str, Any]:
        """The in-toto Statement v1 of this manifest."""
        resources = self.resources()
        predicate: dict[str, Any] = {
            "serialization": self.serialization(),
            "resources": resources,
        }
        extension: dict[str, Any] = {
            "format": EXTENSION_FORMAT,
            "tensor_algorithm": TENSOR_ALGORITHM,
            "files": [_file_extension(f) for f in self.files],
            "excluded": [e.to_dict() for e in self.excluded],
        }
        if self.info is not None:
            extension["sealed_at"] = self.info.sealed_at
            extension["sealed_by"] = self.info.sealed_by
            if self.info.asset is not None:
                extension["asset"] = self.info.asset.to_dict()
        predicate[EXTENSION] = extension
        return {
            "_type": STATEMENT_TYPE,
            "subject": [{"name": self.name, "digest": {"sha256": _root_digest(resources)}}],
            "predicateType": PREDICATE_TYPE,
            "predicate": predicate,
        }


def _file_extension(f: HashedFile) -> dict[str, Any]:
    out: dict[str, Any] = {"path": f.name, "size": f.size}
    if f.tensors is not None:
        out["tensors"] = dict(sorted(f.tensors.items()))
    if f.tensor_error:
        out["tensor_error"] = f.tensor_error
    return out


def _root_digest(resources: list[dict[str, str]]) -> str:
    hasher = hashlib.sha256()
    for resource in resources:
        hasher.update(bytes.fromhex(resource["digest"]))
    return hasher.hexdigest()


# -- parsing ---------------------------------------------------------------------------------


class _Reader:
    """Typed access to untrusted JSON that raises :class:`SealFormatError` naming the source."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, what: str) -> SealFormatError:
        return SealFormatError(f"{self.source}: {what}")

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"{where} must be a JSON object")
        return value

    def field(self, parent: dict[str, Any], key: str, kind: type, where: str) -> Any:
        if key not in parent:
            raise self.fail(f"{where}.{key} is missing")
        value = parent[key]
        if kind is int and (type(value) is not int):
            raise self.fail(f"{where}.{key} must be an integer")
        if kind is not int and not isinstance(value, kind):
            raise self.fail(f"{where}.{key} must be a {kind.__name__}")
        return value

    def digest(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not _HEX64.match(value):
            raise self.fail(f"{where} must be 64 lower-case hex digits")
        return value

    def path(self, value: Any, where: str, *, single: bool = False) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(f"{where} must be a non-empty string")
        if value == "." and single:
            return value
        parts = value.split("/")
        if value.startswith("/") or "\x00" in value or any(p in ("", ".", "..") for p in parts):
            raise self.fail(f"{where} {value!r} is not a clean relative path")
        return value


def parse_statement(statement: Any, source: str) -> Manifest:
    """Check an in-toto statement (already JSON-decoded) and return its manifest."""
    r = _Reader(source)
    top = r.obj(statement, "the statement")
    if top.get("_type") != STATEMENT_TYPE:
        raise r.fail(f"_type must be {STATEMENT_TYPE!r}, got {top.get('_type')!r}")
    if top.get("predicateType") != PREDICATE_TYPE:
        raise r.fail(f"predicateType must be {PREDICATE_TYPE!r}, got {top.get('predicateType')!r}")
    name, subject_digest = _subject(r, top)
    predicate = r.field(top, "predicate", dict, "statement")
    method, algorithm, shard_size, allow_symlinks, ignore_paths = _serialization(
        r, r.field(predicate, "serialization", dict, "predicate")
    )
    checked = _resources(r, r.field(predicate, "resources", list, "predicate"))
    if _root_digest(checked) != subject_digest:
        raise r.fail(
            "the subject digest does not match the resources: the manifest was truncated or edited"
        )
    files = (
        _files_from_resources(r, checked, algorithm)
        if method == "files"
        else _shards_from_resources(r, checked, algorithm, shard_size or 0)
    )
    manifest = Manifest(
        name=name,
        algorithm=algorithm,
        method=method,
        files=files,
        shard_size=shard_size,
        allow_symlinks=allow_symlinks,
        ignore_paths=ignore_paths,
        sizes_known=False,
    )
    if EXTENSION in predicate:
        _apply_extension(r, manifest, r.obj(predicate[EXTENSION], f"predicate.{EXTENSION}"))
    return manifest


def _subject(r: _Reader, top: dict[str, Any]) -> tuple[str, str]:
    """The statement's one subject: its name and SHA-256 digest."""
    subjects = r.field(top, "subject", list, "statement")
    if len(subjects) != 1:
        raise r.fail(f"expected exactly one subject, got {len(subjects)}")
    subject = r.obj(subjects[0], "subject[0]")
    name = r.field(subject, "name", str, "subject[0]")
    digests = r.obj(r.field(subject, "digest", dict, "subject[0]"), "subject[0].digest")
    return name, r.digest(digests.get("sha256"), "subject[0].digest.sha256")


def _serialization(
    r: _Reader, serialization: dict[str, Any]
) -> tuple[Method, Algorithm, int | None, bool, list[str]]:
    """Method, hash algorithm, shard size, whether links are allowed, and ignored paths."""
    method = r.field(serialization, "method", str, "serialization")
    if method not in ("files", "shards"):
        raise r.fail(f"serialization.method {method!r} is not 'files' or 'shards'")
    algorithm = r.field(serialization, "hash_type", str, "serialization")
    if algorithm not in ALGORITHMS:
        raise r.fail(f"serialization.hash_type {algorithm!r} is not one of {ALGORITHMS}")
    allow_symlinks = r.field(serialization, "allow_symlinks", bool, "serialization")
    shard_size: int | None = None
    if method == "shards":
        shard_size = r.field(serialization, "shard_size", int, "serialization")
        if shard_size <= 0:
            raise r.fail("serialization.shard_size must be positive")
    ignore_raw = serialization.get("ignore_paths", [])
    if not isinstance(ignore_raw, list):
        raise r.fail("serialization.ignore_paths must be a list")
    ignore_paths = [r.path(p, "serialization.ignore_paths[]") for p in ignore_raw]
    return method, algorithm, shard_size, allow_symlinks, ignore_paths


def _resources(r: _Reader, resources: list[Any]) -> list[dict[str, str]]:
    """Each resource's name, algorithm and digest, checked."""
    checked: list[dict[str, str]] = []
    for i, raw in enumerate(resources):
        item = r.obj(raw, f"resources[{i}]")
        checked.append(
            {
                "name": r.field(item, "name", str, f"resources[{i}]"),
                "algorithm": r.field(item, "algorithm", str, f"resources[{i}]"),
                "digest": r.digest(item.get("digest"), f"resources[{i}].digest"),
            }
        )
    return checked


def _files_from_resources(
    r: _Reader, resources: list[dict[str, str]], algorithm: str
) -> list[HashedFile]:
    files: dict[str, HashedFile] = {}
    single = len(resources) == 1
    for i, item in enumerate(resources):
        path = r.path(item["name"], f"resources[{i}].name", single=single)
        if item["algorithm"] != algorithm:
            raise r.fail(f"resources[{i}].algorithm {item['algorithm']!r} is not {algorithm!r}")
        if path in files:
            raise r.fail(f"resources[{i}]: {path!r} is listed twice")
        files[path] = HashedFile(path, 0, item["digest"])
    return sorted(files.values(), key=lambda f: f.name)


def _shards_from_resources(
    r: _Reader, resources: list[dict[str, str]], algorithm: str, shard_size: int
) -> list[HashedFile]:
    expected_algorithm = f"{algorithm}-sharded-{shard_size}"
    by_file: dict[str, list[Shard]] = {}
    for i, item in enumerate(resources):
        path, sep1, rest = item["name"].rpartition(":")
        path, sep2, start_text = path.rpartition(":")
        if not (sep1 and sep2 and start_text.isdigit() and rest.isdigit()):
            raise r.fail(f"resources[{i}].name {item['name']!r} is not PATH:START:END")
        r.path(path, f"resources[{i}].name", single=True)
        if item["algorithm"] != expected_algorithm:
            raise r.fail(
                f"resources[{i}].algorithm {item['algorithm']!r} is not {expected_algorithm!r}"
            )
        by_file.setdefault(path, []).append(Shard(int(start_text), int(rest), item["digest"]))
    files: list[HashedFile] = []
    for path, shards in sorted(by_file.items()):
        shards.sort(key=lambda s: s.start)
        position = 0
        for s in shards:
            if s.start != position or not 0 < s.end - s.start <= shard_size:
                raise r.fail(f"{path!r}: shards do not tile the file (at offset {s.start})")
            position = s.end
        for s in shards[:-1]:
            if s.end - s.start != shard_size:
                raise r.fail(f"{path!r}: shard at {s.start} is not {shard_size} bytes long")
        files.append(HashedFile(path, position, None, tuple(shards)))
    return files


def _apply_extension(r: _Reader, manifest: Manifest, ext: dict[str, Any]) -> None:
    where = f"predicate.{EXTENSION}"
    if r.field(ext, "format", int, where) != EXTENSION_FORMAT:
        raise r.fail(f"{where}.format {ext['format']} is not supported (expected 1)")
    by_name = {f.name: f for f in manifest.files}
    seen: dict[str, HashedFile] = {}
    for i, raw in enumerate(r.field(ext, "files", list, where)):
        entry = _extension_file(r, manifest, by_name, r.obj(raw, f"{where}.files[{i}]"), i)
        if entry.name in seen:
            raise r.fail(f"{where}.files lists {entry.name!r} twice")
        seen[entry.name] = entry
    missing = sorted(set(by_name) - set(seen))
    if missing:
        raise r.fail(f"{where}.files does not list {missing[0]!r}: the manifest was edited")
    manifest.files = sorted(seen.values(), key=lambda f: f.name)
    manifest.sizes_known = True
    manifest.excluded = [
        _excluded(r, r.obj(raw, f"{where}.excluded[{i}]"), f"{where}.excluded[{i}]")
        for i, raw in enumerate(r.field(ext, "excluded", list, where))
    ]
    if "sealed_at" in ext or "sealed_by" in ext:
        manifest.info = SealInfo(
            sealed_at=r.field(ext, "sealed_at", str, where),
            sealed_by=r.field(ext, "sealed_by", str, where),
            asset=_sealed_asset(r, ext["asset"], f"{where}.asset") if "asset" in ext else None,
        )


def _extension_file(
    r: _Reader, manifest: Manifest, by_name: dict[str, HashedFile], entry: dict[str, Any], i: int
) -> HashedFile:
    """One file of the extension: its size and tensor digests beside its signed digest."""
    where = f"predicate.{EXTENSION}.files[{i}]"
    path = r.path(entry.get("path"), f"{where}.path", single=True)
    size = r.field(entry, "size", int, where)
    if size < 0:
        raise r.fail(f"{where}.size is negative")
    tensors: dict[str, str] | None = None
    if "tensors" in entry:
        table = r.obj(entry["tensors"], f"{where}.tensors")
        tensors = {str(k): r.digest(v, f"{where}.tensors[{k!r}]") for k, v in table.items()}
    error = entry.get("tensor_error")
    if error is not None and not isinstance(error, str):
        raise r.fail(f"{where}.tensor_error must be a string")
    base = by_name.get(path)
    if base is None:
        if manifest.method != "shards" or size != 0:
            raise r.fail(f"predicate.{EXTENSION}.files lists {path!r}, which has no signed digest")
        base = HashedFile(path, 0, None, ())
    elif manifest.method == "shards" and base.size != size:
        raise r.fail(f"{where}: size {size} disagrees with the signed shards")
    return HashedFile(path, size, base.digest, base.shards, tensors, error)


def _excluded(r: _Reader, entry: dict[str, Any], where: str) -> Excluded:
    kind = r.field(entry, "kind", str, where)
    if kind not in _EXCLUDED_KINDS:
        raise r.fail(f"{where}.kind {kind!r} is unknown")
    target = entry.get("target")
    if target is not None and not isinstance(target, str):
        raise r.fail(f"{where}.target must be a string")
    return Excluded(
        r.field(entry, "path", str, where), r.field(entry, "reason", str, where), kind, target
    )


def _sealed_asset(r: _Reader, raw: Any, where: str) -> SealedAsset:
    a = r.obj(raw, where)
    return SealedAsset(
        id=r.field(a, "id", int, where),
        uri=r.field(a, "uri", str, where),
        name=r.field(a, "name", str, where),
        kind=r.field(a, "kind", str, where),
        version=r.field(a, "version", int, where),
    )
