"""One code file in, its hits and its manifests out: the reader for each kind of file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from labwarden.checks.code.interface import Dependency, Hit
from labwarden.checks.code.lockfiles import read_pipfile_lock, read_poetry_lock, read_uv_lock
from labwarden.checks.code.manifests import read_environment, read_pyproject, read_setup_cfg
from labwarden.checks.code.notebooks import cells
from labwarden.checks.code.python_code import scan_python
from labwarden.checks.code.requirements import Manifest, read_requirements
from labwarden.checks.code.scripts import ScriptResult, scan_dockerfile, scan_shell
from labwarden.core.errors import InputError
from labwarden.core.values import Severity

MAX_INCLUDE_BYTES = 4 << 20


@dataclass(slots=True)
class FileResult:
    """What one file holds: direct hits, the dependency manifests, and container images."""

    hits: list[Hit] = field(default_factory=list)
    manifests: list[Manifest] = field(default_factory=list)
    images: list[Dependency] = field(default_factory=list)

    def add_script(self, script: ScriptResult) -> None:
        """Merge a shell or Dockerfile result."""
        self.hits.extend(script.hits)
        self.manifests.extend(script.manifests)
        self.images.extend(script.images)


def include_from_disk(including: str, name: str) -> tuple[str, str] | None:
    """Read a ``-r``/``-c`` include next to the including file (small regular files only)."""
    target = Path(including).parent / name
    try:
        if not target.is_file() or target.stat().st_size > MAX_INCLUDE_BYTES:
            return None
        return str(target), target.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _python(path: str, text: str) -> FileResult:
    return FileResult(hits=scan_python(text))


def _notebook(path: str, text: str) -> FileResult:
    result = FileResult()
    try:
        found = list(cells(text, path))
    except InputError as exc:
        result.hits.append(Hit("unreadable-notebook", Severity.INFO, 0, exc.message))
        return result
    for cell in found:
        if cell.python.strip():
            result.hits.extend(scan_python(cell.python, cell.member))
        if not cell.shell:
            continue
        script = scan_shell(path, "\n".join(line for _, line in cell.shell), cell.member)
        numbers = [n for n, _ in cell.shell]
        result.add_script(_renumber(script, numbers))
    return result


def _renumber(script: ScriptResult, numbers: list[int]) -> ScriptResult:
    """Map line numbers of the joined shell lines back to the cell's own lines."""

    def real(line: int) -> int:
        return numbers[line - 1] if 0 < line <= len(numbers) else line

    hits = [replace(h, line=real(h.line)) for h in script.hits]
    for manifest in script.manifests:
        manifest.dependencies = [replace(d, line=real(d.line)) for d in manifest.dependencies]
        manifest.hits = [replace(h, line=real(h.line)) for h in manifest.hits]
        manifest.extra_indexes = [(url, real(line)) for url, line in manifest.extra_indexes]
    return ScriptResult(hits, script.manifests, script.images)


def _shell(path: str, text: str) -> FileResult:
    result = FileResult()
    result.add_script(scan_shell(path, text))
    return result


def _dockerfile(path: str, text: str) -> FileResult:
    result = FileResult()
    result.add_script(scan_dockerfile(path, text))
    return result


def _manifest(reader: Callable[[str, str], Manifest]) -> Callable[[str, str], FileResult]:
    def read(path: str, text: str) -> FileResult:
        return FileResult(manifests=[reader(path, text)])

    return read


def _requirements(path: str, text: str) -> FileResult:
    return FileResult(manifests=[read_requirements(path, text, include_from_disk)])


READERS: dict[str, Callable[[str, str], FileResult]] = {
    "python": _python,
    "notebook": _notebook,
    "shell": _shell,
    "dockerfile": _dockerfile,
    "requirements": _requirements,
    "pyproject": _manifest(read_pyproject),
    "setup.cfg": _manifest(read_setup_cfg),
    "environment.yml": _manifest(read_environment),
    "poetry.lock": _manifest(read_poetry_lock),
    "uv.lock": _manifest(read_uv_lock),
    "Pipfile.lock": _manifest(read_pipfile_lock),
}
"""The reader of each file kind (see :func:`labwarden.checks.code.files.kind_of`)."""


def read_file(kind: str, path: str, text: str) -> FileResult:
    """What the file of ``kind`` at ``path`` holds."""
    return READERS[kind](path, text)
