"""`python -m bot` is the `mentorbot` command."""

from bot.cli import app

app()
