"""End to end in headless Chromium: the real model, the action server, the console and the page.

Protects what a resident on a phone relies on: the preselected city is used, a typed worry gets
its window, quick replies work, the conversation survives a reload, HTML typed by anyone stays
text, a network failure is explained with the crisis link and a retry, 「最初から」 starts a
new conversation, the page fits 360px, and nothing breaks the console's CSP.

Starts ``rasa run actions`` and ``rasa run`` on free ports (a temporary endpoints file points
Rasa at the chosen action port) and the console with the chat plugin on another. Takes about a
minute, most of it Rasa loading the model.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.settings import PROJECT_ROOT, Settings
from tests.e2e.servers import action_endpoint_yaml
from tests.ports import free_ports

pytestmark = pytest.mark.slow

MODEL = PROJECT_ROOT / "models" / "intake.tar.gz"
RASA = PROJECT_ROOT / ".venv" / "bin" / "rasa"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
WORRY = "家賃が払えなくて、住む所がなくなりそうです"
WINDOW = "生活相談サポートセンターうべ"
TIMEOUT_MS = 30_000
RASA_TOKEN = "browser-test-token-" + os.urandom(8).hex()


def chat_sender(context: Any) -> str:
    """The server-issued sender id from the (HttpOnly) cookie the page itself cannot read."""
    from bot.web.sender_cookie import COOKIE_NAME

    values = [c["value"] for c in context.cookies() if c["name"] == COOKIE_NAME]
    assert len(values) == 1, context.cookies()
    return str(values[0]).split(".")[0]


def subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HOME=str(PROJECT_ROOT / "var" / "home"),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        TQDM_DISABLE="1",
    )
    return env


def wait_for_http(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    """Poll until ``url`` answers 200; fail with the log's tail if the process dies or stalls."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited with {process.returncode}:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} not ready after {seconds:.0f}s:\n{tail(log)}")


def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def start(stack: ExitStack, args: list[str], log: Path) -> subprocess.Popen[bytes]:
    out = stack.enter_context(log.open("wb"))
    process = subprocess.Popen(
        args, cwd=PROJECT_ROOT, env=subprocess_env(), stdout=out, stderr=subprocess.STDOUT
    )

    def stop() -> None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    stack.callback(stop)
    return process


def build_app(settings: Settings, tmp: Path) -> web.Application:
    """The console with the chat plugin, as deployed; the chat alone if there is no console."""
    try:
        from bot.console import create_app
        from bot.tickets import upgrade_database
    except ImportError:
        from bot.web import create_web_app

        return create_web_app(settings)
    from bot.web import setup

    upgrade_database(settings.database_url)
    return create_app(settings, plugins=[setup])


@dataclass
class Servers:
    chat_url: str


def serve_in_thread(stack: ExitStack, app: web.Application, port: int) -> None:
    """Run the aiohttp app on its own event loop, so the test can use Playwright's sync API."""
    import asyncio

    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def stop() -> None:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=15)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=15)
        loop.close()

    stack.callback(stop)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    if not MODEL.is_file():
        pytest.fail(f"{MODEL} is missing: train it first (make train, or make test trains it)")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    tmp = tmp_path_factory.mktemp("chat_browser")
    (PROJECT_ROOT / "var" / "home").mkdir(parents=True, exist_ok=True)
    action_port, rasa_port, chat_port = free_ports(3)
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(
        action_endpoint_yaml(f"http://127.0.0.1:{action_port}/webhook"), encoding="utf-8"
    )
    with ExitStack() as stack:
        actions = start(
            stack, [str(RASA), "run", "actions", "--port", str(action_port)], tmp / "actions.log"
        )
        rasa = start(
            stack,
            [
                str(RASA),
                "run",
                "--enable-api",
                f"--auth-token={RASA_TOKEN}",
                "--interface",
                "127.0.0.1",
                "--port",
                str(rasa_port),
                "--model",
                str(MODEL),
                "--endpoints",
                str(endpoints),
            ],  # fmt: skip
            tmp / "rasa.log",
        )
        wait_for_http(f"http://127.0.0.1:{action_port}/health", actions, tmp / "actions.log", 90)
        wait_for_http(
            f"http://127.0.0.1:{rasa_port}/status?token={RASA_TOKEN}", rasa, tmp / "rasa.log", 240
        )

        settings = Settings(
            data_dir=PROJECT_ROOT / "data",
            var_dir=tmp,
            database_url=f"sqlite:///{tmp / 'tickets.sqlite3'}",
            rasa_url=f"http://127.0.0.1:{rasa_port}",
            rasa_auth_token=RASA_TOKEN,
        )
        serve_in_thread(stack, build_app(settings, tmp), chat_port)
        yield Servers(chat_url=f"http://127.0.0.1:{chat_port}")


def log_texts(page: Any, selector: str = "#log .msg") -> list[str]:
    return [text.strip() for text in page.locator(selector).all_inner_texts()]


def test_resident_chat_in_a_phone_browser(servers: Servers) -> None:
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    csp_errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport=PHONE, locale="ja-JP", device_scale_factor=1)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on(
                "console",
                lambda msg: (
                    csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None
                ),
            )
            log = page.locator("#log")

            # The hidden start: greeting, then the preselected city, with no resident bubble.
            page.goto(f"{servers.chat_url}/chat?city=ube")
            expect(page.locator("html")).to_have_attribute("lang", "ja")
            expect(log).to_contain_text("こんにちは")
            expect(log).to_contain_text("宇部市ですね。")
            expect(page.locator("#typing")).to_be_hidden()
            assert page.locator(".msg-user").count() == 0
            expect(page.get_by_role("link", name="いますぐ相談したい方へ").first).to_be_visible()

            # Empty message: not sent, a polite hint instead.
            page.get_by_label("メッセージ").press("Enter")
            expect(page.locator("#composer-status")).to_contain_text("入力してから")
            assert page.locator(".msg-user").count() == 0

            # A typed worry (Enter sends) gets the city's window and the contact offer.
            page.get_by_label("メッセージ").fill(WORRY)
            page.get_by_label("メッセージ").press("Enter")
            expect(page.locator(".msg-user").last).to_have_text("あなた：" + WORRY)
            expect(log).to_contain_text(WINDOW)
            no = page.locator("#replies").get_by_role("button", name="いいえ")
            expect(no).to_be_visible()

            # A quick reply sends its payload and shows its title as the resident's bubble.
            no.click()
            expect(page.locator(".msg-user").last).to_have_text("あなた：いいえ")
            expect(log).to_contain_text("わかりました。")
            expect(page.locator("#replies")).to_be_hidden()

            # HTML typed by the resident is shown as text, never parsed.
            html = '<img src="x" id="injected"><b>太字</b>'
            page.get_by_label("メッセージ").fill(html)
            page.get_by_role("button", name="送信する").click()
            expect(page.locator(".msg-user").last).to_have_text("あなた：" + html)
            assert page.locator("#injected").count() == 0
            expect(page.locator("#typing")).to_be_hidden()

            # The page fits a 360px phone without sideways scrolling.
            page.set_viewport_size({"width": 360, "height": 740})
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            page.set_viewport_size(PHONE)

            # Reload: same conversation, same transcript, no second greeting.
            before = log_texts(page)
            sender = chat_sender(context)
            assert sender.startswith("web-")
            assert "intake_chat_sender" not in page.evaluate("document.cookie")  # HttpOnly
            page.reload()
            expect(log).to_contain_text(WINDOW)
            assert log_texts(page) == before
            page.wait_for_timeout(500)
            assert sum("こんにちは" in text for text in log_texts(page)) == 1
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(SCREENSHOTS / "chat-top.png"))
            window_reply = page.locator(".msg-bot", has_text=WINDOW)
            window_reply.evaluate("el => el.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(SCREENSHOTS / "chat.png"))
            page.locator("#composer").scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENSHOTS / "chat-composer.png"))
            page.screenshot(path=str(SCREENSHOTS / "chat-full.png"), full_page=True)

            # Network failure: polite message, crisis link inside it, retry sends once it works.
            page.route("**/chat/api/message", lambda route: route.abort())
            page.get_by_label("メッセージ").fill("ほかにも困っています")
            page.get_by_label("メッセージ").press("Enter")
            error = page.get_by_role("alert")
            expect(error).to_be_visible()
            expect(error.get_by_role("link", name="いますぐ相談したい方へ")).to_be_visible()
            page.screenshot(path=str(SCREENSHOTS / "chat-error.png"))
            page.unroute("**/chat/api/message")
            replies_before = page.locator(".msg-bot").count()
            page.get_by_role("button", name="もう一度送る").click()
            expect(error).to_be_hidden()
            expect(page.locator(".msg-bot")).not_to_have_count(replies_before)
            assert page.locator(".msg-user").last.text_content() == "あなた：ほかにも困っています"

            # 「最初から」: confirmed, then a new sender id and a fresh transcript.
            page.once("dialog", lambda dialog: dialog.accept())
            page.get_by_role("button", name="最初から").click()
            expect(log).not_to_contain_text(WINDOW)
            expect(log).to_contain_text("宇部市ですね。")
            assert page.locator(".msg-user").count() == 0
            new_sender = chat_sender(context)
            assert new_sender != sender

            # The crisis page lists the lines with dialable links and leads back to the chat.
            page.get_by_role("link", name="いますぐ相談したい方へ").first.click()
            expect(page.get_by_role("heading", level=1)).to_have_text("いますぐ相談したい方へ")
            expect(page.locator('a[href="tel:110"]')).to_be_visible()
            page.screenshot(path=str(SCREENSHOTS / "crisis.png"), full_page=True)
            page.get_by_role("link", name="チャットにもどる").click()
            expect(log).to_contain_text("宇部市ですね。")
        finally:
            browser.close()
    assert csp_errors == []


def flood(page: Any, count: int) -> None:
    """Messages sent as fast as a script can, on the page's own conversation (its cookie)."""
    page.evaluate(
        """async (count) => {
            for (let n = 0; n < count; n += 1) {
                await fetch("/chat/api/message", {
                    method: "POST",
                    headers: {"Content-Type": "application/json"},
                    body: JSON.stringify({message: "あ"}),
                    credentials: "same-origin",
                });
            }
        }""",
        count,
    )


def test_slow_down_keeps_crisis_words_open_and_the_city_follows_the_conversation(
    servers: Servers,
) -> None:
    """A 429 shows the server's words with 119/110 (not 「つながりませんでした」) and never
    blocks what comes next: 「もう死にたい」 still goes out and gets the crisis answer. A
    corrected city shows in the heading and crisis links, across a reload; a page opened for
    another city starts a conversation there instead of mixing."""
    from playwright.sync_api import expect, sync_playwright

    from bot.settings import Settings as Defaults

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport=PHONE, locale="ja-JP")
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            log = page.locator("#log")
            heading = page.locator("#city-name")
            crisis_links = page.locator("a.crisis-link-city")

            page.goto(f"{servers.chat_url}/chat?city=ube")
            expect(log).to_contain_text("宇部市ですね。")
            expect(heading).to_have_text("宇部市")

            # The resident corrects the city: heading and crisis links follow, across a reload.
            page.get_by_label("メッセージ").fill("市をまちがえました、益田です")
            page.get_by_label("メッセージ").press("Enter")
            expect(heading).to_have_text("益田市")
            for href in crisis_links.evaluate_all("links => links.map(a => a.href)"):
                assert href.endswith("/chat/crisis?city=masuda"), href
            page.reload()
            expect(heading).to_have_text("益田市")
            expect(log).to_contain_text("市をまちがえました")
            # Back from the crisis page (?city=masuda): the same conversation.
            page.goto(f"{servers.chat_url}/chat?city=masuda")
            expect(log).to_contain_text("市をまちがえました")
            expect(heading).to_have_text("益田市")

            # Opened from another city's site: a conversation of its own, in that city.
            page.goto(f"{servers.chat_url}/chat?city=fuji")
            expect(log).to_contain_text("富士市ですね。")
            expect(log).not_to_contain_text("市をまちがえました")
            expect(heading).to_have_text("富士市")

            # Over the limit: the server's words with 119/110, as the bot's, not an error.
            flood(page, Defaults().rate_web_sender)
            page.get_by_label("メッセージ").fill("まだあります")
            page.get_by_label("メッセージ").press("Enter")
            expect(page.locator(".msg-bot").last).to_contain_text("110")
            expect(log).to_contain_text("119")
            expect(page.locator("#error")).to_be_hidden()
            expect(page.locator("#typing")).to_be_hidden()

            # Crisis words right after are sent, not held back, and answered with the lines.
            page.get_by_label("メッセージ").fill("もう死にたい")
            page.get_by_label("メッセージ").press("Enter")
            expect(page.locator(".msg-user").last).to_have_text("あなた：もう死にたい")
            expect(log).to_contain_text("ひとりではありません")
            expect(page.locator("#composer-status")).not_to_contain_text("返事を待っています")
            expect(page.locator("#error")).to_be_hidden()
        finally:
            browser.close()


COMPOUND_WORRY = "親の介護で仕事を辞めて、借金も返せなくなりました"


def test_compound_worry_answer_fits_a_phone_screen(servers: Servers) -> None:
    """A worry of several kinds gets a phone-sized first answer: at most three bubbles, one
    window to call now, the staff-contact offer, and 「ほかの窓口」 for the rest, which then
    shows the other windows. Screenshots for a person to look at: compound-answer.png and
    compound-other-windows.png under var/screenshots/."""
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport=PHONE, locale="ja-JP", device_scale_factor=1)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            log = page.locator("#log")
            page.goto(f"{servers.chat_url}/chat?city=ube")
            expect(log).to_contain_text("宇部市ですね。")
            expect(page.locator("#typing")).to_be_hidden()
            before = page.locator(".msg-bot").count()

            page.get_by_label("メッセージ").fill(COMPOUND_WORRY)
            page.get_by_label("メッセージ").press("Enter")
            others = page.locator("#replies").get_by_role("button", name="ほかの窓口")
            expect(others).to_be_visible()
            expect(page.locator("#replies").get_by_role("button", name="くわしく")).to_be_visible()
            expect(page.locator("#replies").get_by_role("button", name="いいえ")).to_be_visible()
            answer = log_texts(page, ".msg-bot")[before:]
            assert 1 <= len(answer) <= 3, answer
            assert sum(map(len, answer)) <= 560, answer  # ~500, plus the bubbles' labels
            first = page.locator(".msg-bot").nth(before)
            # Scrolled as a resident sees it: the answer's top just below the sticky header.
            first.evaluate(
                "el => { el.scrollIntoView({block: 'start'}); window.scrollBy(0, -70); }"
            )
            page.screenshot(path=str(SCREENSHOTS / "compound-answer.png"))

            others.click()
            expect(page.locator(".msg-user").last).to_have_text("あなた：ほかの窓口")
            expect(log).to_contain_text("ほかにも、こちらで相談できます。")
            page.locator(".msg-bot", has_text="ほかにも、こちらで相談できます。").evaluate(
                "el => { el.scrollIntoView({block: 'start'}); window.scrollBy(0, -70); }"
            )
            page.screenshot(path=str(SCREENSHOTS / "compound-other-windows.png"))
        finally:
            browser.close()


def test_every_phone_number_shown_in_fuji_is_tap_to_call(servers: Servers) -> None:
    """富士市's sources print 「55-2757」 and 「0545(62)7520」: the resident must still be able to
    tap every number the bot shows (first answer, 「ほかの窓口」, 119 in a crisis) to call it."""
    import re

    from playwright.sync_api import expect, sync_playwright

    phone_like = re.compile(r"(?<![\d〒])\d{2,5}[-(（]\d{1,4}[-)）]?\d{3,6}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport=PHONE, locale="ja-JP", device_scale_factor=1)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{servers.chat_url}/chat?city=fuji")
            expect(page.locator("#log")).to_contain_text("富士市ですね。")
            page.get_by_label("メッセージ").fill(COMPOUND_WORRY)
            page.get_by_label("メッセージ").press("Enter")
            others = page.locator("#replies").get_by_role("button", name="ほかの窓口")
            expect(others).to_be_visible()
            others.click()
            expect(page.locator("#log")).to_contain_text("ほかにも、こちらで相談できます。")
            shown = [n for text in log_texts(page, ".msg-bot") for n in phone_like.findall(text)]
            links = page.locator(".msg-bot a[href^='tel:']")
            tappable = {links.nth(i).inner_text() for i in range(links.count())}
            assert shown, "the answers show phone numbers"
            assert [n for n in shown if n not in tappable] == []
            for i in range(links.count()):
                href = links.nth(i).get_attribute("href") or ""
                assert re.fullmatch(r"tel:(0\d{9,10}|%23\d{4}|110|119|189)", href), href

            # The emergency numbers in the crisis answer are one tap away too.
            page.get_by_label("メッセージ").fill("もう死にたい")
            page.get_by_label("メッセージ").press("Enter")
            expect(page.locator(".msg-bot a[href='tel:119']").last).to_be_visible()
        finally:
            browser.close()
