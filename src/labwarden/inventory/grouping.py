"""Group files into logical assets, the way a security engineer would name them.

* a Hugging Face-style model folder (weights next to config or tokenizer files, sharded weights,
  a diffusers ``model_index.json``, a TF SavedModel) is one model asset;
* a sharded or partitioned dataset folder (``part-*.parquet``, ``*-00001-of-00004.*``,
  ``key=value/`` partitions, a Hugging Face ``datasets`` folder) is one dataset asset;
* a git repository or Python project is one code asset (model, data and credential files inside it
  are still assets of their own, so that none hides in a repository);
* a folder that holds only logs (and their licence, readme or checksum files) is one log asset;
* loose code files are grouped per folder; everything else is an asset of its own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from labwarden.core.asset import Asset, FileRecord
from labwarden.core.values import AssetKind

_MODEL_COMPANIONS = {
    "config.json",
    "generation_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "vocab.json",
    "merges.txt",
    "tokenizer.model",
    "preprocessor_config.json",
    "adapter_config.json",
    "params.json",
    "modules.json",
    "sentence_bert_config.json",
}
_MODEL_MARKERS = {"model_index.json", "saved_model.pb", "saved_model.pbtxt", "mlmodel.json"}
_DATASET_MARKERS = {"dataset_info.json", "dataset_dict.json", "state.json", "_SUCCESS"}
_CODE_MARKERS = {"pyproject.toml", "setup.py", "setup.cfg"}
_SHARD = re.compile(
    r"(?i)(^part[-_]\d+|[-_.]\d{3,6}[-_]of[-_]\d{3,6}|^(data|train|test|validation|shard|chunk)"
    r"[-_]\d+|^\d{3,6}\.(parquet|arrow|jsonl|csv|tfrecord))"
)
_DATE_PART = re.compile(r"^(\d{1,4}|\d{4}-\d{2}(-\d{2})?|\d{8})$")
_DIGITS = re.compile(r"\d+")
_PARTITION = re.compile(r"^[^=/]+=[^/]*$")
_INDEX = re.compile(r"\.(safetensors|bin|pt)\.index\.json$")


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _ancestors(folder: str, stop: str) -> Iterable[str]:
    """``folder`` and its parents up to (and including) ``stop``, innermost first."""
    current = folder
    while True:
        yield current
        if current == stop or "/" not in current or len(current) <= len(stop):
            return
        current = _parent(current) or "/"


def group_assets(
    records: Sequence[FileRecord],
    roots: Sequence[str],
    markers: Mapping[str, set[str]] | None = None,
) -> list[Asset]:
    """Group ``records`` (files found below ``roots``) into assets.

    ``markers`` maps a folder to names of entries that were not walked but tell what the folder
    is (``.git``).
    """
    folders = _Folders(records, roots, markers or {})
    bundles: dict[str, tuple[AssetKind, str, list[FileRecord]]] = {}
    singles: list[Asset] = []
    loose_code: dict[str, list[FileRecord]] = defaultdict(list)
    for record in records:
        place = folders.place(record)
        if place is _LOOSE_CODE:
            loose_code[_parent(record.path)].append(record)
        elif place is None:
            singles.append(_single(record))
        else:
            uri, kind, grouping = place
            bundles.setdefault(uri, (kind, grouping, []))[2].append(record)
    for folder, files in loose_code.items():
        if len(files) >= 2 and folder not in bundles:
            bundles[folder] = (AssetKind.CODE, "code-folder", files)
        else:
            singles.extend(_single(r) for r in files)
    assets = [
        Asset(
            uri=uri,
            name=uri.rsplit("/", 1)[-1] or uri,
            kind=kind,
            files=sorted(files, key=lambda f: f.path),
            grouping=grouping,
            formats=sorted({f.format for f in files}),
        )
        for uri, (kind, grouping, files) in bundles.items()
    ]
    assets.extend(singles)
    assets.sort(key=lambda a: a.uri)
    return assets


Place = tuple[str, AssetKind, str]
"""The asset a file joins: its URI, kind and grouping."""
_LOOSE_CODE: Place = ("", AssetKind.CODE, "loose")
"""A code file outside any repository: grouped with its folder's other code files, if any."""


class _Folders:
    """What each folder of a walk is (model, dataset, repository, logs), and where files go."""

    def __init__(
        self, records: Sequence[FileRecord], roots: Sequence[str], markers: Mapping[str, set[str]]
    ) -> None:
        by_dir: dict[str, list[FileRecord]] = defaultdict(list)
        for record in records:
            by_dir[_parent(record.path)].append(record)
        self.roots = roots
        self.model = {d for d, files in by_dir.items() if _is_model_dir(files)}
        self.dataset = {d for d, files in by_dir.items() if _is_dataset_dir(d, files)}
        self.code = {d for d, files in by_dir.items() if {f.name for f in files} & _CODE_MARKERS}
        self.code |= {d for d, names in markers.items() if ".git" in names}
        partitioned = {_parent(d) for d in by_dir if _PARTITION.match(d.rsplit("/", 1)[-1])}
        self.dataset |= {p for p in partitioned if not _PARTITION.match(p.rsplit("/", 1)[-1])}
        self.logs = _log_dirs(by_dir)
        self._found: dict[str, tuple[str | None, ...]] = {}

    def place(self, record: FileRecord) -> Place | None:
        """Where ``record`` goes (``None``: an asset of its own)."""
        if record.kind is AssetKind.CREDENTIALS:
            return None
        model_root, dataset_root, code_root, log_root = self._roots(_parent(record.path))
        if model_root is not None:
            return model_root, AssetKind.MODEL, "model-folder"
        if dataset_root is not None:
            return dataset_root, AssetKind.DATASET, "dataset-folder"
        if record.kind in (AssetKind.MODEL, AssetKind.DATASET, AssetKind.ARCHIVE):
            return None
        if code_root is not None:
            return code_root, AssetKind.CODE, "code-repository"
        if log_root is not None:
            return log_root, AssetKind.LOG, "log-folder"
        return _LOOSE_CODE if record.kind is AssetKind.CODE else None

    def _roots(self, folder: str) -> tuple[str | None, ...]:
        """The model, dataset, repository and log folders ``folder`` is in (once per folder)."""
        found = self._found.get(folder)
        if found is None:
            found = self._found[folder] = (
                self._topmost(folder, self.model),
                self._topmost(folder, self.dataset),
                self._nearest(folder, self.code),
                _log_root(folder, self.logs),
            )
        return found

    def _scan_root(self, folder: str) -> str:
        for root in self.roots:
            if folder == root or folder.startswith(root.rstrip("/") + "/"):
                return root
        return folder

    def _topmost(self, folder: str, candidates: set[str]) -> str | None:
        found = None
        for ancestor in _ancestors(folder, self._scan_root(folder)):
            if ancestor in candidates:
                found = ancestor
        return found

    def _nearest(self, folder: str, candidates: set[str]) -> str | None:
        for ancestor in _ancestors(folder, self._scan_root(folder)):
            if ancestor in candidates:
                return ancestor
        return None


def _single(record: FileRecord) -> Asset:
    return Asset(
        uri=record.path,
        name=record.name,
        kind=record.kind,
        files=[record],
        grouping="file",
        formats=[record.format],
    )


def _is_model_dir(files: list[FileRecord]) -> bool:
    names = {f.name for f in files}
    if names & _MODEL_MARKERS:
        return True
    weights = [f for f in files if f.kind is AssetKind.MODEL]
    if not weights:
        return bool(any(_INDEX.search(n) for n in names))
    if names & _MODEL_COMPANIONS:
        return True
    if sum(1 for f in weights if _SHARD.search(f.name)) >= 2:
        return True
    # A series of checkpoints (epoch_010.pt, epoch_020.pt ...) is one model's versions.
    stems = [_DIGITS.sub("#", f.name) for f in weights]
    return any(stems.count(stem) >= 2 and "#" in stem for stem in stems)


def _log_root(folder: str, log_dirs: set[str]) -> str | None:
    """The folder a log belongs to: its own, with date-named folders (``2026/10/01``) climbed."""
    current = folder
    while _DATE_PART.match(current.rsplit("/", 1)[-1]) and _parent(current) in log_dirs:
        current = _parent(current)
    return current if current in log_dirs else None


def _is_dataset_dir(folder: str, files: list[FileRecord]) -> bool:
    names = {f.name for f in files}
    data = [f for f in files if f.kind is AssetKind.DATASET]
    if names & _DATASET_MARKERS and (data or any(f.format == "arrow" for f in files)):
        return True
    return sum(1 for f in data if _SHARD.search(f.name)) >= 2


_INCIDENTAL = re.compile(
    r"^(?:(?:licen[cs]e|copying|notice|readme|changelog|authors|contributors)(?:[-_.][\w.-]*)?"
    r"|(?:sha\d+|md5|b2|blake3)sums?(?:\.txt)?|.+\.(?:sha\d+|md5|sig|asc)|\.[\w.-]+)$",
    re.IGNORECASE,
)
"""Files that travel with a folder of logs without being logs: licence and readme files,
checksum lists and signatures, dot files. They neither make nor break a log folder."""


def _log_dirs(by_dir: Mapping[str, list[FileRecord]]) -> set[str]:
    """Folders whose every file, at any depth, is a log or incidental (a LICENSE, a README, a
    checksum list), with at least two logs and more logs than incidental files."""
    total: dict[str, int] = defaultdict(int)
    logs: dict[str, int] = defaultdict(int)
    incidental: dict[str, int] = defaultdict(int)
    for folder, files in by_dir.items():
        n_logs = sum(1 for f in files if f.kind is AssetKind.LOG)
        n_incidental = sum(
            1 for f in files if f.kind is not AssetKind.LOG and _INCIDENTAL.match(f.name)
        )
        current = folder
        while True:
            total[current] += len(files)
            logs[current] += n_logs
            incidental[current] += n_incidental
            if "/" not in current or current == "/":
                break
            current = _parent(current) or "/"
    return {
        d
        for d, n in total.items()
        if logs[d] >= 2 and logs[d] + incidental[d] == n and logs[d] > incidental[d]
    }
