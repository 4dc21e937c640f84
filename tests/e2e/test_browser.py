"""End to end in a browser: `artui serve` on a demo book, headless Chromium on the page.

Type a lookup and see the customer; save a report as PDF and receive it as a download.
The screenshot is kept under tests/artifacts/ (ignored by git).
"""

import asyncio
import datetime as dt
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from artui.book import open_book
from artui.lookup import search

from .browser import Browser, need_chromium
from .tmux import ARTUI

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]
TODAY = "2026-11-24"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, server: subprocess.Popen, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"artui serve ended: {server.stdout.read()}")  # type: ignore[union-attr]
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"artui serve is not listening on {port}")


@pytest.fixture
def served(tmp_path):
    """`artui serve` on a 50-customer demo book, for alice; yields (url, book, home)."""
    need_chromium()
    db = str(tmp_path / "book.db")
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "ARTUI_USER": "alice",
        "ARTUI_TODAY": TODAY,
    }
    subprocess.run(
        [ARTUI, "--db", db, "demo", "--customers", "50", "--seed", "3"],
        check=True,
        capture_output=True,
        env=env,
    )
    port = free_port()
    server = subprocess.Popen(
        [ARTUI, "--db", db, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        wait_listening(port, server)
        book = open_book(db, "alice", today=dt.date.fromisoformat(TODAY))
        yield f"http://127.0.0.1:{port}/", book, home
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_lookup_and_a_pdf_download_in_the_browser(served, tmp_path):
    url, book, home = served
    customer = search(book, "C10004")[0]
    word = customer.name.split()[0]  # a lookup by name, as a clerk with a caller would
    assert customer.account in [h.account for h in search(book, word)]

    async def scenario() -> tuple[str, Path, Path]:
        async with Browser(downloads=tmp_path / "downloads") as browser:
            await browser.send(
                "Emulation.setDeviceMetricsOverride",
                width=1000,
                height=720,
                deviceScaleFactor=1,
                mobile=False,
            )
            await browser.open(url)
            await browser.wait_for("Type to search")
            await browser.focus_terminal()
            await browser.type(word)
            screen = await browser.wait_for(customer.name)
            shot = await browser.screenshot(ARTIFACTS / "browser-lookup.png")
            # F7 reports, Ctrl+O: the aging as PDF, which reaches the browser as a download
            await browser.press("F7")
            await browser.wait_for("Aging")
            await browser.press("ctrl+o")
            download = await browser.wait_for_download()
            return screen, shot, download

    screen, shot, download = asyncio.run(asyncio.wait_for(scenario(), 50))
    print(f"\nscreenshot of the lookup in Chromium: {shot}")
    assert customer.account in screen
    assert download.name.startswith("aging")
    assert download.read_bytes().startswith(b"%PDF")
    kept = list((home / "artui-reports").glob("*.pdf"))
    assert kept, "the report is also written where the terminal writes it"
