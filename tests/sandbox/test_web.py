"""The sandbox's web chat in a real Chromium, against the real `mentorbot run` process.

Playwright drives Debian's chromium (/usr/bin/chromium); nothing is downloaded.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from conversations.i18n import I18n
from conversations.registration import FLOW
from conversations.texts import NUDGE_FIRST, WELCOME

CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "123456:sandbox"  # the emulator's
PNG = bytes.fromhex(  # one transparent pixel
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000105fe0226a50000000049454e44ae426082"
)
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="the browser tests need Chromium: apt-get install chromium (Playwright drives /usr/bin/chromium)",
)
if CHROMIUM.exists():
    from playwright.async_api import Browser, Locator, Page, async_playwright, expect

    expect.set_options(timeout=20_000)  # a slow machine still gets there; nothing here is timed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[str]:
    """`python -m bot run` with no token; yields the web chat's address."""
    web_port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORBOT_")}
    env |= {
        "MENTORBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        "MENTORBOT_SANDBOX_PORT": str(_free_port()),
        "MENTORBOT_WEB_PORT": str(web_port),
        "MENTORBOT_SWEEP_SECONDS": "2",
        "MENTORBOT_SEND_PER_CHAT_PER_SECOND": "50",
        "PYTHONPATH": str(ROOT),
    }
    log = tmp_path / "bot.log"
    with log.open("w") as output:  # a file, not a pipe: a full pipe would stall the bot
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        asyncio.run(_until_polling(f"http://127.0.0.1:{web_port}", process))
        yield f"http://127.0.0.1:{web_port}"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        text = log.read_text()
        assert "Traceback" not in text, text
        assert process.returncode == 0, text


async def _until_polling(base: str, process: subprocess.Popen[bytes]) -> None:
    """Wait until the page is served and the bot has started polling the emulator."""
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            assert process.poll() is None, "the bot stopped while starting"
            try:
                # Polling starts right after deleteWebhook; a getUpdates is logged only when it returns.
                async with http.get(f"{base}/control/requests?method=deleteWebhook") as response:
                    if response.status == 200 and (await response.json())["requests"]:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the sandbox did not start")


@pytest.fixture
async def page(sandbox: str) -> AsyncIterator[Page]:
    """A fresh Chromium page on the web chat."""
    async with async_playwright() as playwright:
        browser: Browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        page = await browser.new_page(viewport={"width": 1400, "height": 900}, locale="en-GB")
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(f"{sandbox}/")
        yield page
        await browser.close()
        assert not errors, errors


async def _new_person(page: Page, name: str, language: str) -> Locator:
    """Create a person on the page and return her chat."""
    await page.fill("#new-name", name)
    await page.select_option("#new-language", language)
    await page.click("#new-person button[type=submit]")
    await expect(page.locator(".chat").last.locator(".name")).to_have_text(name)
    return page.locator(f".chat[data-user='{await page.locator('.chat').last.get_attribute('data-user')}']")


async def test_an_arabic_mentee_registers_right_to_left_and_is_nudged_a_day_later(page: Page) -> None:
    ar = I18n().translator("ar")
    amal = await _new_person(page, "أمل", "ar")
    assert await amal.get_attribute("dir") == "rtl"
    log = amal.locator(".log")
    assert await log.evaluate("e => getComputedStyle(e).direction") == "rtl"

    await amal.locator(".start").click()
    welcome = amal.locator(".msg.bot").first
    await expect(welcome.locator(".body")).to_have_text(ar.gettext(WELCOME))
    # Her messages are on the right of her chat, as in Telegram for Arabic. The chat is redrawn
    # as messages arrive, so the geometry is read in one go, and waited for, not read once.
    await page.wait_for_function(
        """user => {
            const log = document.querySelector(`.chat[data-user='${user}'] .log`);
            const bubble = log && log.querySelector(".msg.bot");
            if (!bubble) return false;
            const b = bubble.getBoundingClientRect(), f = log.getBoundingClientRect();
            return Math.abs(b.right - f.right) < 20 && b.left - f.left > 30;
        }""",
        arg=await amal.get_attribute("data-user"),
    )
    await expect(amal.locator(".msg.me .body")).to_have_text(["/start"])

    consent = amal.locator(".keyboard button[data-callback='cs:y']")
    # Rows are laid out as the bot sends them: it orders buttons for right-to-left readers itself.
    assert await consent.evaluate("e => getComputedStyle(e.closest('.keyboard')).direction") == "ltr"
    await consent.click()
    role = amal.locator(".msg.bot").last.locator(".keyboard button").first
    await expect(role).to_have_text(ar.gettext("I am looking for a mentor"))
    await role.click()
    await expect(amal.locator(".msg.bot").last).to_contain_text(ar.gettext(FLOW.steps[1].prompt))
    # Pressing a button edits the question in place: the answer ticked, the keyboard gone.
    question = amal.locator(".msg.bot").nth(-2)
    await expect(question.locator(".body")).to_contain_text("✓ " + ar.gettext("I am looking for a mentor"))
    await expect(question.locator(".keyboard")).to_have_count(0)

    before = await page.locator("#clock-now").get_attribute("data-iso")
    await page.click("[data-advance=day]")
    nudge = ar.gettext(NUDGE_FIRST)
    assert nudge.startswith("مرحبًا من جديد")
    await expect(amal.locator(".msg.bot", has_text=nudge)).to_have_count(1)
    # The nudge may arrive before the page has shown the moved clock: wait for it, never for a time.
    assert before
    await expect(page.locator("#clock-now")).not_to_have_attribute("data-iso", before)
    after = await page.locator("#clock-now").get_attribute("data-iso")
    assert after and after[:10] > before[:10]  # a day later
    await expect(page.locator("#clock-note")).to_contain_text("Next thing due")


async def test_commands_in_an_arabic_message_read_left_to_right_and_can_be_tapped(page: Page) -> None:
    ar = I18n().translator("ar")
    amal = await _new_person(page, "أمل", "ar")
    await amal.locator(".text").fill("/help")
    await amal.locator(".send").click()
    answer = amal.locator(".msg.bot").last
    await expect(answer).to_contain_text(
        ar.gettext("This bot connects women new in the country with mentors.")
    )
    # The emulator finds the commands as Telegram does, marks around them and all: each is a link.
    links = answer.locator(".body a.command")
    await expect(links).to_have_text(["/start", "/language", "/privacy", "/whoami"])
    # Kept left to right (LRI…PDI): the slash is drawn left of the word, never "language/".
    slash_first = """a => {
        const range = document.createRange(), at = (i) => {
            range.setStart(a.firstChild, i); range.setEnd(a.firstChild, i + 1);
            return range.getBoundingClientRect().left;
        };
        return at(0) < at(1);
    }"""
    assert await links.nth(1).evaluate(slash_first)
    await links.nth(1).click()
    await expect(amal.locator(".msg.me .body").last).to_have_text("/language")
    await expect(amal.locator(".msg.bot").last.locator(".keyboard button", has_text="Dansk")).to_have_count(1)


async def test_the_coordinator_works_beside_a_mentee_with_the_demo_network(page: Page) -> None:
    mentee = await _new_person(page, "Olena", "uk")
    coordinator_entry = page.locator("#people li").first
    await expect(coordinator_entry).to_contain_text("Coordinator (1)")
    await coordinator_entry.click()
    coordinator = page.locator(".chat[data-user='1']")
    assert await coordinator.get_attribute("dir") == "ltr"
    side, other = await mentee.bounding_box(), await coordinator.bounding_box()
    assert side and other and other["x"] >= side["x"] + side["width"]  # side by side

    # The "/" menu shows what the bot set for each: the coordinator's has /queue, the mentee's not.
    await mentee.locator(".slash").click()
    await expect(mentee.locator(".menu .command").first).to_have_text("/start")
    assert "/queue" not in await mentee.locator(".menu .command").all_text_contents()
    await coordinator.locator(".slash").click()
    await expect(coordinator.locator(".menu .command", has_text="/queue")).to_have_count(1)
    await coordinator.locator(".menu .command", has_text="/help").click()
    await expect(coordinator.locator(".msg.bot").last).to_contain_text("/queue")

    await page.click("#demo")
    await expect(page.locator("#demo-note")).to_have_text("20 people and 8 interview times added.")
    await expect(page.locator("#people li", has_text="Amal Haddad")).to_contain_text("mentee")
    await coordinator.locator(".text").fill("/queue")
    await coordinator.locator(".send").click()
    await expect(coordinator.locator(".msg.bot").last).to_contain_text("Amal Haddad")

    # Files the bot sends can be opened from the chat: a document as a link, a picture inline.
    async with aiohttp.ClientSession() as http:
        for method, field, name in (
            ("sendDocument", "document", "agreement.pdf"),
            ("sendPhoto", "photo", "map.png"),
        ):
            form = aiohttp.FormData({"chat_id": "1"})
            form.add_field(field, b"%PDF sandbox" if field == "document" else PNG, filename=name)
            async with http.post(f"{page.url.rstrip('/')}/bot{TOKEN}/{method}", data=form) as response:
                assert response.status == 200, await response.text()
    link = coordinator.locator("a.file")
    await expect(link).to_have_text("📄 agreement.pdf")
    async with aiohttp.ClientSession() as http, http.get(str(await link.get_attribute("href"))) as response:
        assert await response.read() == b"%PDF sandbox"
    picture = coordinator.locator("img.file")
    await expect(picture).to_have_attribute("alt", "map.png")
    assert await picture.evaluate("img => img.complete && img.naturalWidth") == 1

    # A demo mentee's chat opens too, in her own language and direction.
    await page.locator("#people li", has_text="Amal Haddad").click()
    assert await page.locator(".chat[data-user='2011']").get_attribute("dir") == "rtl"
    await page.click("[data-advance=next]")  # the first of the invited is reminded to book
    await expect(page.locator("#clock-note")).to_contain_text("Reminders sent: 1.")
