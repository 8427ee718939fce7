"""Screenshots of the sandbox's web chat for README.md and docs/sandbox.md.

    .venv/bin/python scripts/screenshots.py

Runs `mentorbot run` without a token on a fresh database in a temporary folder, drives the page
in Debian's Chromium (apt-get install chromium; Playwright, nothing downloaded) and writes
docs/screenshots/*.png.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import aiohttp
from playwright.async_api import Locator, Page, async_playwright, expect

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _until_polling(base: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            try:
                async with http.get(f"{base}/control/requests?method=deleteWebhook") as response:
                    if response.status == 200 and (await response.json())["requests"]:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the sandbox did not start")


async def _press(chat: Locator, ending: str, *, answered: bool = True) -> None:
    """Press the button of the chat's latest message whose callback data ends with `ending`."""
    latest = chat.locator(".msg.bot").last
    count = await chat.locator(".msg.bot").count()
    await latest.locator(f".keyboard button[data-callback$='{ending}']").first.click()
    if answered:
        await _answered(chat, count)


async def _say(chat: Locator, text: str) -> None:
    count = await chat.locator(".msg.bot").count()
    await chat.locator(".text").fill(text)
    await chat.locator(".send").click()
    await _answered(chat, count)


async def _answered(chat: Locator, count: int) -> None:
    """Wait until the bot has sent a message more than `count` (and the page has shown it)."""
    await expect(chat.locator(".msg.bot")).not_to_have_count(count)
    await chat.page.wait_for_timeout(400)  # the rest of the answer, if it takes more than one message


async def _shoot(page: Page, name: str) -> None:
    await page.wait_for_timeout(300)
    await page.screenshot(path=OUT / name)
    print(f"wrote docs/screenshots/{name}")


async def _scenes(page: Page) -> None:
    # An Arabic mentee registering, beside the coordinator.
    await page.fill("#new-name", "أمل")
    await page.select_option("#new-language", "ar")
    await page.click("#new-person button[type=submit]")
    amal = page.locator(".chat[data-user='1001']")
    await amal.locator(".start").click()
    await expect(amal.locator(".msg.bot")).to_have_count(2)
    await _press(amal, "cs:y")
    await _press(amal, "p0")
    await _say(amal, "أمل حسن")
    await _press(amal, ":s")
    await _say(amal, "آرهوس")
    await _press(amal, "t0", answered=False)  # ticks Telegram in place
    await expect(amal.locator(".msg.bot").last.locator(".keyboard")).to_contain_text("✅")
    await page.locator("#people li").first.click()
    coordinator = page.locator(".chat[data-user='1']")
    await _say(coordinator, "/help")
    await _shoot(page, "sandbox-arabic-mentee-and-coordinator.png")

    # A day later: the clock panel, and the nudge in her chat.
    await page.click("[data-advance=day]")
    await expect(amal.locator(".msg.bot").last.locator(".keyboard")).to_have_count(1)
    await expect(page.locator("#clock-note")).to_contain_text("Reminders sent")
    await page.wait_for_timeout(800)
    await _shoot(page, "sandbox-clock-moved.png")

    # The demo network, and the coordinator's queue.
    await amal.locator(".close").click()
    await page.click("#demo")
    await expect(page.locator("#demo-note")).to_contain_text("20 people")
    await _say(coordinator, "/queue")
    # To the next thing due: a mentor invited four days ago is reminded to book an interview time.
    await page.click("[data-advance=next]")
    await expect(page.locator("#clock-note")).to_contain_text("Reminders sent")
    await page.locator("#people li", has_text="Amina Yusuf").click()
    amina = page.locator(".chat[data-user='2008']")
    await expect(amina.locator(".msg.bot .keyboard")).to_have_count(1)
    await page.locator("#people ul, #people").evaluate("list => list.scrollTop = list.scrollHeight / 3")
    await _shoot(page, "sandbox-demo-network.png")


async def _browse(base: str) -> None:
    await _until_polling(base)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM)
        page = await browser.new_page(viewport={"width": 1120, "height": 860}, locale="en-GB")
        await page.goto(f"{base}/")
        await _scenes(page)
        await browser.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        web_port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORBOT_")}
        env |= {
            "MENTORBOT_DATABASE_URL": f"sqlite:///{folder}/bot.sqlite3",
            "MENTORBOT_SANDBOX_PORT": str(_free_port()),
            "MENTORBOT_WEB_PORT": str(web_port),
            "MENTORBOT_SEND_PER_CHAT_PER_SECOND": "50",
            "PYTHONPATH": str(ROOT),
        }
        with (Path(folder) / "bot.log").open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=folder,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            asyncio.run(_browse(f"http://127.0.0.1:{web_port}"))
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=20)


if __name__ == "__main__":
    main()
