"""Which reader a code file needs, judged by its name (never by running it)."""

from __future__ import annotations

import re

LOCK_NAMES = frozenset({"poetry.lock", "uv.lock", "pipfile.lock", "conda-lock.yml", "pdm.lock"})

_REQUIREMENTS = re.compile(
    r"^(?:.*requirements.*|constraints.*|requires.*)\.(?:txt|in|pip)$|^requirements$"
)
_ENVIRONMENT = re.compile(r"^(?:environment|conda|env)[\w.-]*\.ya?ml$")


def kind_of(path: str) -> str | None:
    """``python``, ``notebook``, ``shell``, ``dockerfile``, ``requirements``, ``pyproject``,
    ``setup.cfg``, ``environment.yml``, ``poetry.lock``, ``uv.lock``, ``Pipfile.lock`` or
    ``None`` when the code check has nothing to read in the file."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    folder = path.replace("\\", "/").rsplit("/", 2)[-2].lower() if "/" in path else ""
    by_name = {
        "pyproject.toml": "pyproject",
        "setup.cfg": "setup.cfg",
        "poetry.lock": "poetry.lock",
        "uv.lock": "uv.lock",
        "pipfile.lock": "Pipfile.lock",
    }
    if name in by_name:
        return by_name[name]
    if name.endswith((".py", ".pyw")):
        return "python"
    if name.endswith(".ipynb"):
        return "notebook"
    if name.endswith((".sh", ".bash", ".zsh")):
        return "shell"
    if name in ("dockerfile", "containerfile") or name.endswith((".dockerfile", ".containerfile")):
        return "dockerfile"
    if name.startswith(("dockerfile.", "containerfile.")):
        return "dockerfile"
    if _REQUIREMENTS.match(name) or (folder == "requirements" and name.endswith((".txt", ".in"))):
        return "requirements"
    if _ENVIRONMENT.match(name):
        return "environment.yml"
    return None
