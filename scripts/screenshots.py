"""Screenshots of the sandbox's web chat for README.md, docs/sandbox.md and docs/coordinators.md.

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


async def _shoot(page: Page, name: str, *, chats_only: bool = False) -> None:
    """The whole page, or (chats_only) just the open chats: phone-sized frames, readable on a phone."""
    await page.wait_for_timeout(300)
    if chats_only:
        await page.locator("#chats").screenshot(path=OUT / name)
    else:
        await page.screenshot(path=OUT / name)
    print(f"wrote docs/screenshots/{name}")


async def _open(page: Page, name: str, user: int) -> Locator:
    """Open someone's chat from the people list."""
    await page.locator("#people li", has_text=name).first.click()
    chat = page.locator(f".chat[data-user='{user}']")
    await expect(chat).to_have_count(1)
    return chat


async def _close_all_but(page: Page, *users: int) -> None:
    for chat in await page.locator(".chat").all():
        if int(await chat.get_attribute("data-user") or 0) not in users:
            await chat.locator(".close").click()


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


async def _coordinator_scenes(page: Page) -> None:
    """docs/coordinators.md: the inbox, /find and /person, /announce, /event (the demo network is loaded)."""
    coordinator = page.locator(".chat[data-user='1']")
    await _close_all_but(page, 1)
    await _say(coordinator, "/start")  # a coordinator's first /start: her language, then her name
    await _press(coordinator, "cnl:en")
    await _say(coordinator, "Lise Berg")

    # An Arabic mentee writes, then sends a voice note; the coordinator answers; it comes back signed.
    amal = await _open(page, "Amal Haddad", 2011)
    await _say(amal, "مرحبا، متى سألتقي بمرشدتي؟")
    count = await coordinator.locator(".msg.bot").count()
    await amal.locator(".voice").click()
    await _answered(amal, 1)
    await _answered(coordinator, count + 1)  # who wrote, then the voice note itself with the buttons
    await _press(coordinator, ":r:1")
    await _say(coordinator, "مرحبا أمل! نبحث لكِ عن مرشدة الآن. سأكتب لكِ قبل يوم الجمعة.")
    await expect(amal.locator(".msg.bot").last).to_contain_text("Lise Berg")
    await _shoot(page, "coordinators-inbox-arabic-voice-note.png", chats_only=True)

    # /find, a button to the profile, and /person.
    await amal.locator(".close").click()
    await _say(coordinator, "/find amal")
    count = await coordinator.locator(".msg.bot").count()
    await coordinator.locator(".msg.bot").last.locator("button", has_text="Amal Haddad").click()
    await _answered(coordinator, count)
    await _shoot(page, "coordinators-find-and-person.png", chats_only=True)

    # /announce to all mentees with an Arabic version: the preview with the count ...
    await _say(coordinator, "/announce")
    await _press(coordinator, ":p1")  # all mentees
    await _press(coordinator, ":p0")  # every language
    await _press(coordinator, ":s")  # every city
    await _say(
        coordinator,
        "Network meeting on Thursday 10 December at 17:00, Nørregade 1. We eat together and talk about finding work. Everyone is welcome!",
    )
    await _press(coordinator, ":t2", answered=False)  # ticks Arabic in place
    await expect(coordinator.locator(".msg.bot").last.locator(".keyboard")).to_contain_text("✅")
    await _press(coordinator, ":d")
    await _say(
        coordinator,
        "لقاء الشبكة يوم الخميس 10 ديسمبر الساعة 5 مساءً في Nørregade 1: نأكل معًا ونتحدث عن البحث عن عمل. أهلًا بالجميع!",
    )
    await expect(coordinator.locator(".msg.bot").last).to_contain_text("people will get it")
    await _shoot(page, "coordinators-announce-preview.png", chats_only=True)

    # ... then Send: the preview becomes the progress and the report; the Arabic version reaches Amal.
    await coordinator.locator(".msg.bot").last.locator(".keyboard button[data-callback^='na:s']").click()
    await expect(coordinator.locator(".msg.bot").last).to_contain_text("is sent", timeout=30_000)
    amal = await _open(page, "Amal Haddad", 2011)
    await expect(amal.locator(".msg.bot").last).to_contain_text("لقاء الشبكة")

    # /event: the invitation with its buttons in her chat, and who comes with /event E-1.
    await _say(coordinator, "/event")
    await _say(coordinator, "Workshop: your CV in Danish")
    await _say(coordinator, "8.12.2026")
    await _say(coordinator, "17:00")
    await _say(coordinator, "Nørregade 1, København")
    await _say(coordinator, "12")
    await _press(coordinator, ":p1")  # all mentees
    await _press(coordinator, ":p0")
    await _press(coordinator, ":s")
    await _say(coordinator, "Bring your CV; we help you write it in Danish. Coffee and cake.")
    await _press(coordinator, ":s")  # no other versions
    count = await amal.locator(".msg.bot").count()
    await coordinator.locator(".msg.bot").last.locator(".keyboard button[data-callback^='na:s']").click()
    await expect(coordinator.locator(".msg.bot").last).to_contain_text("is sent", timeout=30_000)
    await _answered(amal, count)
    await _press(amal, "ev:y:1")
    await _say(coordinator, "/event E-1")
    await amal.locator(".msg.bot").nth(count).scroll_into_view_if_needed()
    await _shoot(page, "coordinators-event.png", chats_only=True)


async def _browse(base: str) -> None:
    await _until_polling(base)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM)
        page = await browser.new_page(viewport={"width": 1120, "height": 860}, locale="en-GB")
        await page.goto(f"{base}/")
        await _scenes(page)
        await _coordinator_scenes(page)
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
