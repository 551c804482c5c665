"""README.md is true: every command it shows parses against the real CLI, and its walk-through runs
as shown (in a fresh folder, on the demo lab it builds) with the exit codes it documents.

Commands that need what a test cannot have are in :data:`SKIPPED`, each with the reason; an entry
whose command left the README fails the test, so the list never outgrows the README."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.readme import (
    Command,
    Outcome,
    Runner,
    clean_environment,
    parse_error,
    readme_commands,
    tokens_of,
)

SKIPPED: dict[str, str] = {
    "make demo": "builds the clone's .venv (tests/test_makefile.py parses its command)",
    "make test": "runs the whole suite, this test included (tests/test_makefile.py)",
    "make lint typecheck": "runs ruff and mypy over the clone; CI does",
    "make bench": "runs the benchmarks (tests/test_makefile.py checks what it runs)",
    "python3 -m venv .venv && .venv/bin/pip install -e .": "installs into the clone",
    ".venv/bin/labwarden --version": "the clone's .venv; `labwarden --version` is tested elsewhere",
    "labwarden inspect code trainer --osv-db osv": "needs an OSV export downloaded by hand",
    "labwarden detect --rules ../../shared/corpora/sigma/cloud/aws/cloudtrail --list-rules": (
        "needs the shared SigmaHQ corpus beside the clone"
    ),
    "labwarden detect --rules ../../shared/corpora/sigma/cloud/aws/cloudtrail --since 2026-10-20 "
    "--fail-on high": "needs the shared SigmaHQ corpus beside the clone",
    "labwarden watch logs/ --interval 5 --cycles 2": (
        "sleeps between passes (tests/watch cover it); the same logs are ingested above"
    ),
    "labwarden ingest --year 2025 --timezone Europe/Copenhagen /var/log/auth.log": (
        "reads this host's auth.log"
    ),
    "journalctl -o json --since -7d > journal.json && labwarden ingest journal.json": (
        "reads this host's journal"
    ),
    "pip install 'labwarden[spark]'": "installs a package",
    'spark-submit --master yarn --packages org.apache.hadoop:hadoop-aws:3.4.1 "$(python -c '
    "'import labwarden, os; print(os.path.dirname(labwarden.__file__))')/__main__.py\" "
    "--workspace .labwarden detect --engine spark --lake s3a://lab-security/lake --no-analytics": (
        "needs a Spark cluster"
    ),
    "labwarden detect --engine spark --no-analytics": "needs Java and PySpark (tests/engines)",
    "labwarden detect --engine spark --spark-master 'local[2]'": "needs Java and PySpark",
    "labwarden triage": "collects this host",
    "labwarden triage --case IR-7 --examiner kim --since 14d --output /tmp/ir-7.tar.gz "
    "--fail-on never": "collects this host",
    "labwarden -w case-ws triage --case IR-7 --output ir-7.tar.gz --fail-on never": (
        "collects this host"
    ),
    "labwarden -w case-ws verify ir-7.tar.gz --seal ir-7.tar.gz.sigstore.json": (
        "verifies the archive of this host's triage"
    ),
    "tar xzf ir-7.tar.gz && labwarden -w case-ws verify ir-7/evidence --seal "
    "ir-7/evidence.sigstore.json": "verifies the archive of this host's triage",
    "labwarden canary plant aws-key --name deploy-key --into ~/.aws/credentials": (
        "creates an IAM user in a real AWS account"
    ),
    "labwarden canary listen --port 8787": "serves until Ctrl-C (tests/trace/canaries)",
    "labwarden canary retire deploy-key --delete-key": "deletes the real IAM user planted above",
    "labwarden scan s3://lab-models/llm/": "needs a real bucket (tests/cli/test_scan_s3.py)",
    "labwarden scan s3://lab-models --endpoint-url http://127.0.0.1:9000": "needs a MinIO server",
    "labwarden assets versions s3://lab-models/llm/": "needs the bucket scanned above",
    "labwarden assets versions s3://lab-trials --deleted": "needs a scanned bucket",
    "labwarden assets versions 12 -f json": "needs a scanned bucket",
    "aws iam get-account-authorization-details > auth.json": "needs an AWS account",
    "aws iam generate-credential-report && aws iam get-credential-report --query Content "
    "--output text | base64 -d > creds.csv": "needs an AWS account",
    "aws s3api get-bucket-policy --bucket lab-models > lab-models.policy.json": (
        "needs an AWS account"
    ),
    "labwarden iam audit auth.json --credential-report creds.csv --bucket-policy "
    "lab-models=lab-models.policy.json --bucket lab-models": "reads the AWS exports above",
    "labwarden iam may auth.json user/alice s3:GetObject "
    "arn:aws:s3:::lab-models/llm/model.safetensors": "reads the AWS exports above",
    "labwarden iam who-can auth.json lab-models --bucket-policy lab-models=lab-models.policy.json "
    "--access read": "reads the AWS exports above",
    "labwarden iam uses auth.json --verdict never-granted": "reads the AWS exports above",
    "labwarden detect --iam auth.json": "reads the AWS exports above (tests/identity)",
    "labwarden share data/ctx104.csv --recipient partner-lab-a --output out/ctx104-lab-a.csv": (
        "your own table (tests/cli/test_trace.py)"
    ),
    "labwarden share data/ctx104.csv --recipient cro-b --output out/ctx104-cro-b.parquet "
    "--rate 0.05 --max-change 0.05 --max-cells 0.01 --canary-rows 3": "your own table",
    "labwarden trace forum-dump.csv": "a leaked file found elsewhere (tests/cli/test_trace.py)",
    "labwarden trace forum-dump.csv --format json": "a leaked file found elsewhere",
    "labwarden trace loot/": "a leaked folder found elsewhere",
    "labwarden users add alice --role admin": "asks for a password at the terminal",
    "labwarden serve": "serves until Ctrl-C (tests/web start it on a free port)",
    'curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8700/api/v1/alerts': (
        "needs the server above"
    ),
}
"""README commands the walk-through does not run, with why (each still has to parse)."""

COMMANDS = readme_commands()


def test_the_readme_shows_commands() -> None:
    assert len([c for c in COMMANDS if c.labwarden_args()]) > 100
    by_text = {c.text: c for c in COMMANDS}
    assert by_text["labwarden scan demo-lab/models demo-lab/data"].exit_code == 1
    assert by_text["labwarden incident list"].labwarden_args() == [["incident", "list"]]
    assert by_text[
        "LABWARDEN_MODELFILE_DENYLIST=banned.toml labwarden scan demo-lab/models"
    ].labwarden_args() == [["scan", "demo-lab/models"]]


def test_every_command_the_readme_shows_parses() -> None:
    wrong = [
        f"README.md:{command.line}: {command.text}\n    {error}"
        for command in COMMANDS
        for args in command.labwarden_args()
        if (error := parse_error(args))
    ]
    assert not wrong, "\n".join(wrong)


def test_the_parse_check_catches_what_a_user_would_trip_over() -> None:
    assert parse_error(["assets", "--sensitivity", "restricted"]) is None
    assert parse_error(["-v", "2", "findings", "show", "4"]) is None
    assert "No such option" in (parse_error(["assets", "--sensitive", "x"]) or "")
    assert "No such command" in (parse_error(["finding"]) or "")
    assert "Invalid value" in (parse_error(["scan", "lab", "--fail-on", "bogus"]) or "")
    assert "Missing argument" in (parse_error(["assets", "show"]) or "")
    assert parse_error(["incident"]) == "no command: it shows the help instead"


def test_every_skipped_command_is_still_in_the_readme() -> None:
    shown = {c.text for c in COMMANDS}
    gone = sorted(set(SKIPPED) - shown)
    assert not gone, f"SKIPPED lists commands README.md no longer shows: {gone}"


class Walk:
    """The README followed line by line in one folder, as a reader would: ``cd`` and ``export``
    change where and with what the next lines run; a plain ``labwarden`` line (an environment
    prefix and a ``> FILE`` allowed) runs through the :class:`Runner`; any other line through
    ``bash`` with ``labwarden`` on PATH."""

    def __init__(self, home: Path, runner: Runner, bin_dir: Path) -> None:
        self.cwd = home
        self.env = clean_environment()
        self.env["PATH"] = f"{bin_dir}{os.pathsep}{self.env.get('PATH', '')}"
        self.runner = runner

    def run(self, command: Command) -> Outcome:
        """Run one README line."""
        words = tokens_of(command.text)
        if words[0] == "cd" and len(words) == 2:
            self.cwd = (self.cwd / words[1]).resolve()
            return Outcome(0 if self.cwd.is_dir() else 1, "", f"cd {self.cwd}")
        if words[0] == "export" and len(words) == 2 and "=" in words[1]:
            name, _, value = words[1].partition("=")
            self.env[name] = value
            return Outcome(0, "", "")
        env = dict(self.env)
        while re.fullmatch(r"[A-Za-z_]\w*=.*", words[0]):
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        target = None
        if len(words) > 2 and words[-2] == ">":
            target = self.cwd / words[-1]
            words = words[:-2]
        stdin = None
        if words[0] == "echo" and words.count("|") == 1:  # echo TEXT | labwarden ...
            bar = words.index("|")
            stdin, words = " ".join(words[1:bar]) + "\n", words[bar + 1 :]
        if words[0] != "labwarden" or any(w in {"|", "||", "&&", ";", "&", "<"} for w in words):
            done = subprocess.run(
                ["bash", "-c", command.text],
                cwd=self.cwd,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            return Outcome(done.returncode, done.stdout, done.stderr)
        outcome = self.runner.run(words[1:], self.cwd, env, stdin)
        if target is not None:
            target.write_text(outcome.stdout)
        return outcome


def _labwarden_on_path(bin_dir: Path) -> None:
    bin_dir.mkdir()
    shim = bin_dir / "labwarden"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m labwarden "$@"\n')
    shim.chmod(0o755)


def _failure(command: Command, outcome: Outcome, expected: str) -> str:
    return (
        f"README.md:{command.line}: {command.text}\n    expected {expected}, exit {outcome.code}"
        f"\n    stderr: {outcome.stderr.strip()[-1500:]}\n    stdout: {outcome.stdout[-500:]}"
    )


def _check(command: Command, outcome: Outcome) -> str | None:
    if outcome.code != command.exit_code or "Traceback" in outcome.stderr:
        return _failure(command, outcome, f"exit {command.exit_code}")
    if command.output and outcome.stdout.splitlines() != list(command.output):
        return _failure(command, outcome, f"output {list(command.output)}")
    return None


def _try_next(stdout: str) -> list[list[str]]:
    """The commands the demo printed under "Try next", as argument lists; each must start with a
    program that exists (the venv's ``labwarden``, or ``python -m labwarden``)."""
    commands = []
    for line in stdout.partition("\nTry next:")[2].splitlines()[1:]:
        words = shlex.split(line)
        program = Path(words[0])
        if program.name.startswith("python"):
            assert words[1:3] == ["-m", "labwarden"] and program.is_file(), line
            commands.append(words[3:])
        else:
            assert program.name == "labwarden" and program.is_file(), line
            commands.append(words[1:])
    return commands


@pytest.mark.slow
def test_the_readme_walk_through_runs_as_shown(tmp_path: Path) -> None:
    home = tmp_path / "a reader"  # a space: every printed path must be quoted
    home.mkdir()
    bin_dir = tmp_path / "bin"
    _labwarden_on_path(bin_dir)
    scratch = tmp_path / "outputs"
    scratch.mkdir()
    wrong: list[str] = []
    ran = 0
    tried_next = False
    with Runner(scratch) as runner:
        walk = Walk(home, runner, bin_dir)
        for command in COMMANDS:
            if command.text in SKIPPED:
                continue
            outcome = walk.run(command)
            ran += 1
            if problem := _check(command, outcome):
                wrong.append(problem)
            if "\nTry next:" in outcome.stdout:
                tried_next = True
                for args in _try_next(outcome.stdout):
                    tried = runner.run(args, home, walk.env)
                    if tried.code not in (0, 1) or "Traceback" in tried.stderr:
                        wrong.append(f"demo's Try next: {args}: exit {tried.code}: {tried.stderr}")
    assert ran > 80 and tried_next
    assert not wrong, "\n".join(wrong)
