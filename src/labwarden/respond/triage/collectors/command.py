"""The ``command`` collector: an external tool, if the host has it, run read-only.

Tools are looked for in the system folders only (never the caller's ``PATH``, which an intruder
may have prepared), run without a shell, with no input, a plain C locale and a time limit.
Their output streams into the evidence verbatim (up to :data:`MAX_OUTPUT`), with the exact
command line and exit code in the log.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from labwarden.respond.triage.acquisition import CommandRecord, utc_text
from labwarden.respond.triage.artifacts import Artifact
from labwarden.respond.triage.context import Context
from labwarden.respond.triage.readers import read

SYSTEM_PATH = ("/usr/sbin", "/usr/bin", "/sbin", "/bin")
MAX_OUTPUT = 1 << 30
SCANNER_TIMEOUT = 1800.0
_ENV = {"PATH": ":".join(SYSTEM_PATH), "LC_ALL": "C", "SYSTEMD_PAGER": "", "PAGER": "cat"}


def find_tool(name: str) -> str | None:
    """The tool's path in the system folders."""
    for folder in SYSTEM_PATH:
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _argv(ctx: Context, artifact: Artifact, tool: str) -> list[str]:
    since = ctx.since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return [tool, *(a.replace("{since}", since) for a in artifact.argv[1:])]


def _skipped(ctx: Context, artifact: Artifact) -> bool:
    if artifact.scanner and not ctx.options.scanners:
        ctx.log.note(artifact.argv[0], "not run (pass --scanners)", "skipped", artifact.name)
        return True
    if not ctx.options.commands:
        ctx.log.note(artifact.argv[0], "not run (--no-commands)", "skipped", artifact.name)
        return True
    return False


def collect_command(ctx: Context, artifact: Artifact) -> None:
    """Run the command if it exists, archive its output, and read it."""
    if _skipped(ctx, artifact):
        return
    tool = find_tool(artifact.argv[0])
    if tool is None:
        ctx.log.note(artifact.argv[0], "not installed", "not available", artifact.name)
        return
    argv = _argv(ctx, artifact, tool)
    timeout = SCANNER_TIMEOUT if artifact.scanner else ctx.options.command_timeout
    record = CommandRecord(argv, utc_text(datetime.now(UTC)), 0.0, None)
    out_rel, out_path = ctx.evidence.reserve(f"commands/{artifact.name}.stdout")
    err_rel, err_path = ctx.evidence.reserve(f"commands/{artifact.name}.stderr")
    clock = time.monotonic()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        run(argv, out, err, timeout, record)
    record.seconds = round(time.monotonic() - clock, 3)
    ctx.log.commands.append(record)
    command = " ".join(argv)
    stdout = ctx.evidence.register(out_rel, artifact.name, command)
    record.stdout = stdout.path
    ctx.log.counted(artifact.name)
    if err_path.stat().st_size:
        record.stderr = ctx.evidence.register(err_rel, artifact.name, command).path
    else:
        err_path.unlink()
    _notes(ctx, artifact, record, err_path)
    if artifact.parser and stdout.size:
        read(ctx, artifact.parser, stdout, None)


def run(
    argv: list[str], out: IO[bytes], err: IO[bytes], timeout: float, record: CommandRecord
) -> None:
    """Run ``argv``, copying its output into ``out`` until it ends, :data:`MAX_OUTPUT` bytes or
    ``timeout`` seconds; the exit code or the reason it has none goes into ``record``."""
    try:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, env=_ENV, cwd="/"
        )
    except OSError as exc:
        record.error = exc.strerror or str(exc)
        return
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    written = 0
    with process.stdout as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                record.error = f"timed out after {timeout:.0f} s"
                break
            ready, _, _ = select.select([pipe], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(pipe.fileno(), 1 << 20)
            if not chunk:
                break
            out.write(chunk[: MAX_OUTPUT - written])
            written += len(chunk)
            if written >= MAX_OUTPUT:
                record.error = f"output cut at {MAX_OUTPUT} bytes"
                break
    if record.error:
        process.kill()
    record.exit_code = process.wait() if not record.error else None
    if record.error:
        process.wait()


def _notes(ctx: Context, artifact: Artifact, record: CommandRecord, err_path: Path) -> None:
    command = " ".join(record.argv)
    if record.error:
        ctx.log.note(command, record.error, "unreadable", artifact.name)
    elif record.exit_code != 0:
        first = ""
        if err_path.exists():
            with err_path.open("rb") as handle:
                first = handle.readline(300).decode("utf-8", "replace").strip()
        reason = f"exit code {record.exit_code}" + (f": {first}" if first else "")
        ctx.log.note(command, reason, "unreadable", artifact.name)
