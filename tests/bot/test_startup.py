"""A wrong installation stops `mentorbot run` with one clear line naming the setting, no traceback."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from storage.crypto import new_key

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdef"


async def _run(tmp_path: Path, **settings: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORBOT_")}
    env |= {"PYTHONPATH": str(ROOT), "MENTORBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}"}
    env |= {f"MENTORBOT_{name.upper()}": value for name, value in settings.items()}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, output.decode()


def _one_clear_line(output: str, *words: str) -> None:
    assert "Traceback" not in output, output
    problems = [line for line in output.splitlines() if line.startswith(("Cannot start", "Configuration"))]
    assert len(problems) == 1, output
    for word in words:
        assert word in problems[0], output
    others = [line for line in output.splitlines() if line and " INFO " not in line and line not in problems]
    assert others == [], output


async def test_an_unreachable_database(tmp_path: Path) -> None:
    code, output = await _run(tmp_path, database_url="postgresql://mentor:s3cret@127.0.0.1:9/mentorbot")
    assert code == 1
    _one_clear_line(output, "MENTORBOT_DATABASE_URL=postgresql://mentor:***@127.0.0.1:9/mentorbot")
    assert "s3cret" not in output


async def test_a_malformed_database_url(tmp_path: Path) -> None:
    code, output = await _run(tmp_path, database_url="mentorbot.sqlite3")
    assert code == 2
    _one_clear_line(output, "MENTORBOT_DATABASE_URL", "sqlite:///")


async def test_a_token_telegram_rejects(tmp_path: Path) -> None:
    async def unauthorized(request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", unauthorized)
    async with TestServer(app) as telegram:
        code, output = await _run(
            tmp_path, token=TOKEN, notes_keys=new_key(), api_url=str(telegram.make_url("")).rstrip("/")
        )
    assert code == 1
    _one_clear_line(output, "MENTORBOT_TOKEN", "@BotFather")
    assert TOKEN not in output


@pytest.mark.parametrize("setting", ["sandbox_port", "web_port"])
async def test_a_port_in_use(tmp_path: Path, setting: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        others = {"sandbox_port": _free_port(), "web_port": _free_port()}
        code, output = await _run(tmp_path, **(others | {setting: port}))
    assert code == 1
    _one_clear_line(output, f"MENTORBOT_{setting.upper()}", port)


def _free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])
