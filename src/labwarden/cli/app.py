"""The ``labwarden`` entry point: global options, command groups and the one error handler."""

from __future__ import annotations

import logging
import os
import signal
import sys
from types import FrameType
from typing import Annotated, NoReturn

import typer
from rich.text import Text

from labwarden import __version__
from labwarden.cli import alerts as alerts_cli
from labwarden.cli import assets, bom, demo, inspect, privacy, scan
from labwarden.cli import canary as canary_cli
from labwarden.cli import detect as detect_cli
from labwarden.cli import events as events_cli
from labwarden.cli import findings as findings_cli
from labwarden.cli import iam as iam_cli
from labwarden.cli import incident as incident_cli
from labwarden.cli import ingest as ingest_cli
from labwarden.cli import seal as seal_cli
from labwarden.cli import serve as serve_cli
from labwarden.cli import trace as trace_cli
from labwarden.cli import triage as triage_cli
from labwarden.cli import users as users_cli
from labwarden.cli import watch as watch_cli
from labwarden.cli.state import STATE, stderr
from labwarden.core.errors import ExitCode, LabwardenError

app = typer.Typer(
    name="labwarden",
    help="Protect the crown jewels of AI research: models, datasets, code, logs and trial data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"labwarden {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    workspace: Annotated[
        str | None,
        typer.Option(
            "--workspace",
            "-w",
            envvar="LABWARDEN_WORKSPACE",
            help="Workspace folder (default: the nearest .labwarden, else ./.labwarden).",
        ),
    ] = None,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            metavar="",
            show_default=False,
            help="More detail: -v logs and error tracebacks, -vv (or -v 2) debug logs.",
        ),
    ] = 0,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """labwarden: know, harden, watch, protect and respond for AI research assets."""
    STATE.workspace = workspace
    STATE.verbose = verbose
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


app.command("scan")(scan.scan)
app.add_typer(assets.app, name="assets")
app.command("bom")(bom.bom)
app.add_typer(findings_cli.app, name="findings")
app.command("demo")(demo.demo)
app.add_typer(inspect.app, name="inspect")
app.add_typer(seal_cli.keys_app, name="keys")
app.command("seal")(seal_cli.seal)
app.command("verify")(seal_cli.verify)
app.add_typer(privacy.app, name="privacy")
app.command("ingest")(ingest_cli.ingest)
app.command("events")(events_cli.events)
app.command("detect")(detect_cli.detect)
app.add_typer(alerts_cli.app, name="alerts")
app.command("watch")(watch_cli.watch)
app.command("triage")(triage_cli.triage)
app.add_typer(canary_cli.app, name="canary")
app.command("share")(trace_cli.share)
app.command("trace")(trace_cli.trace)
app.add_typer(iam_cli.app, name="iam")
app.add_typer(incident_cli.app, name="incident")
app.command("serve")(serve_cli.serve)
app.add_typer(users_cli.app, name="users")


_interrupted: list[int] = []


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    """Remember that Ctrl-C was pressed, then interrupt as Python does: a library that turns
    the interruption into an error of its own (DuckDB's "Query interrupted") still exits 130."""
    _interrupted.append(signum)
    signal.default_int_handler(signum, frame)


def _exit_now(signum: int, frame: FrameType | None) -> None:
    os._exit(130)


def _interrupt_exit() -> NoReturn:
    # another Ctrl-C while the engines shut down ends the process at once, still with 130
    signal.signal(signal.SIGINT, _exit_now)
    stderr.print("interrupted; everything committed so far is kept", markup=False)
    sys.exit(130)


_VALUED_GLOBALS = ("-w", "--workspace")


def verbosity_args(args: list[str]) -> list[str]:
    """``args`` with ``-v N``/``--verbose N``/``--verbose=N`` among the global options (before the
    command) spelled as N repeated ``-v`` flags, the form the option parser counts."""
    out: list[str] = []
    i = 0
    while i < len(args) and args[i].startswith("-"):
        token = args[i]
        following = args[i + 1] if i + 1 < len(args) else ""
        if token in ("-v", "--verbose") and following.isdigit():
            out += ["-v"] * int(following)
            i += 2
        elif token.startswith("--verbose=") and token.partition("=")[2].isdigit():
            out += ["-v"] * int(token.partition("=")[2])
            i += 1
        else:
            valued = token in _VALUED_GLOBALS
            out += args[i : i + 2] if valued else [token]
            i += 2 if valued else 1
    return out + args[i:]


def main() -> None:
    """Run the CLI; a :class:`LabwardenError` becomes a message on stderr and its exit code,
    Ctrl-C exits 130 without a traceback."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_interrupt)
    try:
        app(args=verbosity_args(sys.argv[1:]))
    except KeyboardInterrupt:
        _interrupt_exit()
    except LabwardenError as exc:
        if _interrupted:
            _interrupt_exit()
        if STATE.verbose:
            stderr.print_exception()
        stderr.print(Text.assemble(("error:", "bold red"), " ", exc.message))
        sys.exit(int(exc.exit_code))
    except Exception:
        if _interrupted:
            _interrupt_exit()
        stderr.print_exception()
        stderr.print(
            "[bold red]internal error[/]: please report it with the traceback above", markup=True
        )
        sys.exit(int(ExitCode.INTERNAL))
