"""``labwarden users``: the people who may use ``labwarden serve``, their roles and API tokens."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from labwarden.cli.state import STATE, stderr
from labwarden.core.errors import InputError, WorkspaceError
from labwarden.report.tabular import OutputFormat, render_rows
from labwarden.store.catalog import Catalog

app = typer.Typer(
    help="People who may use the web server and API: roles, passwords, API tokens.",
    no_args_is_help=True,
)

_ROLE_HELP = "viewer (reads), analyst (also triages), admin (also manages users and settings)."


def _catalog(create: bool = False) -> Catalog:
    from labwarden.web import security

    security.require_extra()
    workspace = STATE.resolve()
    if not create and not workspace.exists:
        raise WorkspaceError(f"no workspace at {workspace.root}; `labwarden users add` creates it")
    return Catalog.open(workspace)


def _password(stdin: bool, interactive: bool) -> str | None:
    if stdin:
        text = sys.stdin.readline().rstrip("\r\n")
        if not text:
            raise InputError("--password-stdin: standard input held no password")
        return text
    if interactive:
        entered: str = typer.prompt("password", hide_input=True, confirmation_prompt=True)
        return entered
    return None


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="User name (letters, digits, ._@-).")],
    role: Annotated[str, typer.Option("--role", "-r", help=_ROLE_HELP)] = "viewer",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="API token only: no page login.")
    ] = False,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="table or json.")] = (
        OutputFormat.TABLE
    ),
) -> None:
    """Add a user and print its API token (shown once; `users token` makes a new one)."""
    from labwarden.web.accounts import add_user, cli_actor

    interactive = not (password_stdin or no_password) and sys.stdin.isatty()
    password = None if no_password else _password(password_stdin, interactive)
    with _catalog(create=True) as catalog:
        user, token = add_user(catalog, name, role, password, cli_actor())
    if fmt is OutputFormat.JSON:
        typer.echo(json.dumps({**user.to_dict(), "token": token}, indent=2))
        return
    stderr.print(f"added {user.name} ({user.role}); API token, shown once:", markup=False)
    if password is None:
        stderr.print(
            f"no password: {user.name} can use the API only; "
            f"`labwarden users password {user.name}` sets one",
            markup=False,
        )
    typer.echo(token)


@app.command("list")
def list_users(
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.TABLE
    ),
) -> None:
    """List users and their roles."""
    with _catalog() as catalog:
        users = catalog.users.all()
    rows = [u.to_dict() for u in users]
    columns = ["name", "role", "has_password", "token_created_at", "created_at", "created_by"]
    render_rows(rows, columns, fmt, sys.stdout, title=f"{len(rows)} users")


@app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Remove a user: its token and sessions stop working at once."""
    from labwarden.web.accounts import cli_actor, remove_user

    with _catalog() as catalog:
        user = remove_user(catalog, name, cli_actor())
    stderr.print(f"removed {user.name} ({user.role})", markup=False)


@app.command("token")
def token(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Rotate a user's API token and print the new one (the old one stops working)."""
    from labwarden.web.accounts import cli_actor, rotate_token

    with _catalog() as catalog:
        new = rotate_token(catalog, name, cli_actor())
    stderr.print(f"new API token for {name}, shown once (the previous one is revoked):")
    typer.echo(new)


@app.command("password")
def password(
    name: Annotated[str, typer.Argument(help="User name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    remove_it: Annotated[
        bool, typer.Option("--remove", help="Remove the password (API token only).")
    ] = False,
) -> None:
    """Set or remove a user's password; its page sessions end."""
    from labwarden.web.accounts import cli_actor, set_password

    new = None if remove_it else _password(password_stdin, sys.stdin.isatty())
    if new is None and not remove_it:
        raise InputError("no password given: use --password-stdin or run it in a terminal")
    with _catalog() as catalog:
        set_password(catalog, name, new, cli_actor())
    stderr.print(f"password of {name} {'removed' if remove_it else 'set'}", markup=False)


@app.command("role")
def role(
    name: Annotated[str, typer.Argument(help="User name.")],
    new_role: Annotated[str, typer.Argument(metavar="ROLE", help=_ROLE_HELP)],
) -> None:
    """Change a user's role."""
    from labwarden.web.accounts import cli_actor, set_role

    with _catalog() as catalog:
        set_role(catalog, name, new_role, cli_actor())
    stderr.print(f"{name} is now {new_role}", markup=False)
