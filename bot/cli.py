"""The `mentorbot` command: run the bot, migrate the database, chat with the sandbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import typer
from pydantic import ValidationError

from bot.settings import Settings

app = typer.Typer(help="The Mentor Network bot.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        for problem in error.errors():
            typer.secho(f"Configuration problem: {problem['msg']}", fg="red", err=True)
        raise typer.Exit(2) from None


@app.command()
def run(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every update."),
    demo: bool = typer.Option(
        False,
        "--demo",
        help="Sandbox only: load a small demo network of mentors, mentees and interview times.",
    ),
) -> None:
    """Run the bot: with MENTORBOT_TOKEN against Telegram, without it in the built-in sandbox."""
    from bot.runner import StartupError, serve

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not verbose:  # a line for every sweep and every update says nothing an operator needs
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    settings = _settings()
    if demo and not settings.sandbox:
        typer.secho(
            "--demo loads made-up people: only in the sandbox, never with a real token.", fg="red", err=True
        )
        raise typer.Exit(2)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(settings, demo=demo))
    except StartupError as error:
        if verbose:
            raise
        typer.secho(f"Cannot start: {error}", fg="red", err=True)
        raise typer.Exit(1) from None


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (the run command does this too)."""
    from bot.runner import StartupError, open_database

    settings = _settings()
    try:
        open_database(settings).dispose()
    except StartupError as error:
        typer.secho(f"Cannot migrate: {error}", fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo("The database is up to date.")


@app.command()
def inbox(
    retry: bool = typer.Option(False, "--retry", help="Put every set-aside update back in line."),
) -> None:
    """Updates waiting to be handled, and those set aside after failing (with where they failed)."""
    from rich.console import Console
    from rich.table import Table

    from bot.runner import StartupError, open_database
    from conversations.clock import SystemClock
    from storage import inbox as stored

    settings = _settings()
    try:
        db = open_database(settings)
    except StartupError as error:
        typer.secho(f"Cannot open the inbox: {error}", fg="red", err=True)
        raise typer.Exit(1) from None
    try:
        with db.session() as session:
            if retry:
                count = stored.retry_set_aside(session, now=SystemClock().now())
                typer.echo(f"{count} set-aside updates will be tried again by the running bot.")
                return
            waiting, aside = stored.pending_count(session), stored.set_aside_rows(session)
    finally:
        db.dispose()
    typer.echo(f"{waiting} updates waiting to be handled, {len(aside)} set aside.")
    if aside:
        table = Table("update", "from", "received", "set aside", "tries", "error")
        for row in aside:
            table.add_row(
                str(row.update_id),
                f"{row.platform} {row.address or '–'}",
                f"{row.received_at:%Y-%m-%d %H:%M}",
                f"{row.set_aside_at:%Y-%m-%d %H:%M}",
                str(row.attempts),
                row.error or "",
            )
        Console().print(table)


@app.command("notes-key")
def notes_key() -> None:
    """Print a new key for MENTORBOT_NOTES_KEYS (keep a copy safe: notes need it to be read)."""
    from storage.crypto import new_key

    typer.echo(new_key())


@app.command()
def chat(
    user: int = typer.Option(1001, help="The sandbox user id to chat as."),
    lang: str = typer.Option("en", help="Her Telegram language code."),
    name: str = typer.Option("", help="Her first name."),
    url: str = typer.Option("", help="The sandbox emulator's address (default: from settings)."),
) -> None:
    """Chat with the sandbox bot in the terminal; buttons are numbered, #2 presses the second."""
    from bot.sandbox.chat import run_chat

    settings = _settings()
    base = url or f"http://{settings.sandbox_host}:{settings.sandbox_port}"
    with contextlib.suppress(KeyboardInterrupt, EOFError):
        asyncio.run(run_chat(base, user, lang, name or None))


if __name__ == "__main__":
    app()
