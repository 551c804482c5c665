"""The commands README.md shows, read from its fenced shell blocks; a parse of a command line
against the real CLI without running it; and a way to run many commands as real processes
without paying labwarden's start-up (about a second of imports) each time."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import typer

from labwarden.cli.app import app, verbosity_args

README = Path(__file__).resolve().parents[1] / "README.md"

SHELL_LANGUAGES = {"", "sh", "bash", "shell", "console"}
"""Fence languages whose lines are commands (an unlabelled fence is a command block here)."""

_OPERATORS = {"|", "||", "&&", ";", "&"}
_REDIRECTIONS = {">", ">>", "<", ">&", "&>"}
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_EXIT_CODE = re.compile(r"\bexits? (\d+)(?=[:;,)]|$)")


@dataclass(frozen=True, slots=True)
class Command:
    """One command line of the README: where it starts, its text without prompt or comment, and
    what the README says about it (its comment, the exit code the comment gives, shown output)."""

    line: int
    text: str
    comment: str
    output: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        """The exit code the README documents for this line (``exit N`` in its comment), else 0."""
        found = _EXIT_CODE.search(self.comment)
        return int(found.group(1)) if found else 0

    def segments(self) -> list[list[str]]:
        """The simple commands of the line (split at pipes, ``&&``, ``;``), each without its
        redirections."""
        out: list[list[str]] = [[]]
        tokens = tokens_of(self.text)
        skip_next = False
        for token in tokens:
            if skip_next:
                skip_next = False
            elif token in _OPERATORS:
                out.append([])
            elif token in _REDIRECTIONS:
                skip_next = True
            else:
                out[-1].append(token)
        return [segment for segment in out if segment]

    def labwarden_args(self) -> list[list[str]]:
        """The arguments of every ``labwarden`` invocation in the line (after an environment
        prefix such as ``VAR=value``; ``.venv/bin/labwarden`` and ``python -m labwarden`` too)."""
        found: list[list[str]] = []
        for segment in self.segments():
            words = list(segment)
            while words and _ASSIGNMENT.match(words[0]):
                words.pop(0)
            if words and (words[0] == "labwarden" or words[0].endswith("/labwarden")):
                found.append(words[1:])
            elif words[:3] in (["python", "-m", "labwarden"], ["python3", "-m", "labwarden"]):
                found.append(words[3:])
        return found


def tokens_of(text: str) -> list[str]:
    """Shell words and operators of ``text`` (quotes removed, ``#`` comments dropped)."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return list(lexer)


def _split_comment(text: str) -> tuple[str, str]:
    """``text`` before its ``#`` comment (a ``#`` outside quotes that starts a word), and the
    comment."""
    quote = ""
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or text[i - 1].isspace()):
            return text[:i].rstrip(), text[i + 1 :].strip()
    return text.rstrip(), ""


def _blocks(text: str) -> list[tuple[str, list[tuple[int, str]]]]:
    blocks: list[tuple[str, list[tuple[int, str]]]] = []
    current: tuple[str, list[tuple[int, str]]] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            if current is None:
                current = (line[3:].strip(), [])
            else:
                blocks.append(current)
                current = None
        elif current is not None:
            current[1].append((number, line))
    return [block for block in blocks if block[0] in SHELL_LANGUAGES]


def _block_commands(language: str, lines: list[tuple[int, str]]) -> list[Command]:
    """The commands of one block: ``\\`` continuations joined; in a console block only ``$ ``
    lines are commands and the lines after one are its output; a comment-only line continues
    the comment of the command before it."""
    commands: list[Command] = []
    pending: tuple[int, str] | None = None
    for at, raw in lines:
        line, number = raw.strip(), at
        if pending is not None:
            line, number = pending[1] + " " + line, pending[0]
            pending = None
        elif language == "console" and not line.startswith("$ "):
            if line and commands:
                last = commands[-1]
                commands[-1] = Command(last.line, last.text, last.comment, (*last.output, line))
            continue
        line = line.removeprefix("$ ")
        if line.endswith("\\"):
            pending = (number, line[:-1].rstrip())
            continue
        if line.startswith("#") and commands:
            last = commands[-1]
            commands[-1] = Command(last.line, last.text, f"{last.comment} {line[1:].strip()}")
            continue
        text, comment = _split_comment(line)
        if text:
            commands.append(Command(number, text, comment))
    return commands


def readme_commands(path: Path = README) -> list[Command]:
    """Every command line of ``path``'s fenced shell blocks, in order."""
    return [
        command
        for language, lines in _blocks(path.read_text(encoding="utf-8"))
        for command in _block_commands(language, lines)
    ]


ROOT = typer.main.get_command(app)


def _parse(args: list[str]) -> str | None:
    """Parse ``labwarden ARGS`` as the entry point does, down to the command, without running it.
    Typer may bring its own copy of Click, so groups and errors are recognised by what they do."""
    ctx = ROOT.make_context("labwarden", verbosity_args(list(args)))
    command: Any = ROOT
    while hasattr(command, "resolve_command"):  # a group
        rest = [*getattr(ctx, "_protected_args", []), *ctx.args]
        if not rest:
            return (
                None if command.invoke_without_command else f"{ctx.command_path}: missing command"
            )
        name, command, rest = command.resolve_command(ctx, rest)
        ctx = command.make_context(name, rest, parent=ctx)
    return None


def parse_error(args: list[str]) -> str | None:
    """Why ``labwarden ARGS`` does not parse (an unknown command or option, a bad choice, a
    missing argument), or None."""
    try:
        return _parse(args)
    except Exception as exc:
        if type(exc).__name__ == "Exit":  # --version, -h: they end parsing successfully
            return None
        if hasattr(exc, "format_message"):  # Click's (or Typer's Click's) usage errors
            return str(exc.format_message()) or "no command: it shows the help instead"
        raise


_SERVER = """
import json, os, sys, traceback
from labwarden.cli.app import main
for request in sys.stdin:
    job = json.loads(request)
    pid = os.fork()
    if pid == 0:
        code = 3
        try:
            os.chdir(job["cwd"])
            os.environ.clear()
            os.environ.update(job["env"])
            for fd, name, flags in ((0, job["stdin"], os.O_RDONLY),
                                    (1, job["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                    (2, job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
                opened = os.open(name, flags, 0o644)
                os.dup2(opened, fd)
                os.close(opened)
            sys.argv = ["labwarden", *job["argv"]]
            try:
                main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status), flush=True)
"""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one command did: its exit code and what it printed."""

    code: int
    stdout: str
    stderr: str


class Runner:
    """Runs ``labwarden ARGS`` as a real process each time: a server that imported the CLI once
    forks a child per command, which sets its folder, environment and output files and runs the
    console entry point, exactly as the installed ``labwarden`` does after its imports."""

    def __init__(self, scratch: Path) -> None:
        self._scratch = scratch
        self._count = 0
        self._server = subprocess.Popen(
            [sys.executable, "-c", _SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __enter__(self) -> Runner:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the server."""
        if self._server.stdin is not None:
            self._server.stdin.close()
        self._server.wait(timeout=30)

    def run(
        self, args: list[str], cwd: Path, env: dict[str, str], stdin: str | None = None
    ) -> Outcome:
        """Run ``labwarden ARGS`` in ``cwd`` with exactly ``env`` (and ``stdin`` as its input)."""
        assert self._server.stdin is not None and self._server.stdout is not None
        self._count += 1
        out = self._scratch / f"{self._count}.out"
        err = self._scratch / f"{self._count}.err"
        given = self._scratch / f"{self._count}.in"
        given.write_text(stdin or "")
        job = {
            "argv": args,
            "cwd": str(cwd),
            "env": env,
            "stdin": str(given) if stdin is not None else os.devnull,
            "stdout": str(out),
            "stderr": str(err),
        }
        self._server.stdin.write(json.dumps(job) + "\n")
        self._server.stdin.flush()
        code = int(self._server.stdout.readline())
        return Outcome(code, out.read_text(errors="replace"), err.read_text(errors="replace"))


def clean_environment() -> dict[str, str]:
    """This process's environment without a workspace variable, with a plain terminal width."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABWARDEN_")}
    env["COLUMNS"] = "200"
    return env
