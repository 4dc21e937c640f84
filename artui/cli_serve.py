"""`artui serve`: the workstation in a browser, through textual-serve.

textual-serve starts one `artui` process per browser tab and has no authentication of
its own, so it listens on this machine only unless told otherwise; an authenticating
proxy in front (README: "In the browser") is what lets other people in.
"""

import getpass
import ipaddress
import os
import shlex
import sys
from typing import Annotated

import typer

from artui.cli import app, book, fail, state

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_local(host: str) -> bool:
    """True when `host` names this machine's loopback interface only."""
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def session_command(db_url: str, user: str, today: str | None = None) -> tuple[str, dict]:
    """The command each browser session runs, and what it needs in its environment.

    A SQLite path rides on the command line; a PostgreSQL URL may hold a password, so it
    goes in ARTUI_DB instead of the process list."""
    args = [sys.executable, "-m", "artui", "--user", user]
    env: dict[str, str] = {}
    if db_url.startswith("sqlite:"):
        args += ["--db", db_url.removeprefix("sqlite:///")]
    else:
        env["ARTUI_DB"] = db_url
    if today:
        args += ["--today", today]
    return shlex.join(args), env


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on; this machine only unless --allow-remote.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            help="The address people open, when a proxy is in front "
            "(e.g. https://artui.example.com).",
        ),
    ] = None,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Listen on an address other machines can reach (no authentication!).",
        ),
    ] = False,
) -> None:
    """The workstation in a web browser (one session per tab), for the user --user names."""
    from db.engine import normalize_url

    if not is_local(host):
        if not allow_remote:
            fail(
                f"--host {host} would let anyone who can reach this machine use the book "
                "without logging in; listen on 127.0.0.1 behind an authenticating proxy, "
                "or add --allow-remote if you really mean it.",
                2,
            )
        typer.echo(
            f"warning: listening on {host}:{port} with no authentication: anyone who can "
            "reach it works as this user.",
            err=True,
        )
    if not 0 < port < 65536:
        fail(f"--port {port} is not a port (1-65535).", 2)

    # The book opens (and migrates) once here, as each session will open it, so a missing
    # book or a user it refuses is said now and not as a blank page in the browser.
    state.user = state.user or getpass.getuser()
    user = state.user
    book().engine.dispose()
    url = normalize_url(state.db)
    today = state.today.isoformat() if state.today else None
    command, env = session_command(url, user, today)
    os.environ.update(env)

    from textual_serve.server import Server

    server = Server(command, host=host, port=port, title="ARTUI", public_url=public_url)
    typer.echo(f"ARTUI for {user} on {server.public_url} (Ctrl+C stops it)", err=True)
    server.serve()
