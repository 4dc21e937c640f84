"""Driving headless Chromium over the Chrome DevTools Protocol, with aiohttp only.

Enough of a browser for end-to-end tests of `artui serve`: open a page, type, press keys,
read what the terminal (xterm.js) shows, take a screenshot, catch downloads. textual-serve
draws with xterm's canvas/WebGL renderer, so the text is not in the DOM: a script that
runs before the page's own notes each xterm Terminal as the page creates it, and the rows
are read from its buffer.
"""

import asyncio
import base64
import contextlib
import itertools
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # textual-serve hands a download over with window.open, outside a click
    "--disable-popup-blocking",
    "--remote-debugging-port=0",
]

# Keeps every xterm Terminal the page makes (textual.js does `this.terminal = new Terminal`).
NOTE_TERMINALS = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  get() { return undefined; },
  set(value) {
    Object.defineProperty(this, "terminal", {
      value, writable: true, configurable: true, enumerable: true,
    });
    if (value && value.buffer) { (window.__terminals = window.__terminals || []).push(value); }
  },
});
"""

SCREEN_TEXT = """
(() => {
  const t = (window.__terminals || [])[0];
  if (!t) return null;
  const b = t.buffer.active, rows = [];
  for (let y = 0; y < t.rows; y++) {
    const line = b.getLine(b.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
})()
"""

# Keys by name: (key, code, Windows virtual key code, text typed)
KEYS = {
    "Enter": ("Enter", "Enter", 13, "\r"),
    "Escape": ("Escape", "Escape", 27, ""),
    "Tab": ("Tab", "Tab", 9, ""),
    "Backspace": ("Backspace", "Backspace", 8, ""),
    "ArrowDown": ("ArrowDown", "ArrowDown", 40, ""),
    "ArrowUp": ("ArrowUp", "ArrowUp", 38, ""),
    **{f"F{n}": (f"F{n}", f"F{n}", 111 + n, "") for n in range(1, 13)},
}
MODIFIERS = {"alt": 1, "ctrl": 2, "meta": 4, "shift": 8}


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def need_chromium() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip("chromium is not installed (the CI script installs Debian's chromium)")
    return path


class Browser:
    """One headless Chromium with a fresh profile and one page, driven over CDP."""

    def __init__(self, downloads: Path | None = None) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="artui-chromium-"))
        self.downloads = downloads
        self.process: subprocess.Popen | None = None
        self.http: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.ids = itertools.count(1)
        self.waiting: dict[int, asyncio.Future] = {}
        self.events: list[dict] = []
        self.reader: asyncio.Task | None = None
        self.session = ""
        self.stderr = self.profile / "chromium.log"

    async def __aenter__(self) -> "Browser":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self, timeout: float = 20.0) -> None:
        exe = need_chromium()
        with open(self.stderr, "wb") as log:
            self.process = subprocess.Popen(
                [exe, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                stdout=log,
                stderr=log,
                stdin=subprocess.DEVNULL,
            )
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chromium did not start: {self.stderr.read_text()[-2000:]}")
            await asyncio.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        self.http = aiohttp.ClientSession()
        async with self.http.get(f"http://127.0.0.1:{port}/json/version") as response:
            endpoint = (await response.json())["webSocketDebuggerUrl"]
        # One socket to the browser; the page is a session on it (flattened), so browser
        # commands (downloads) and page commands share it.
        self.ws = await self.http.ws_connect(endpoint, max_msg_size=0)
        self.reader = asyncio.create_task(self._read())
        target = await self.send("Target.createTarget", url="about:blank", page=False)
        attached = await self.send(
            "Target.attachToTarget", targetId=target["targetId"], flatten=True, page=False
        )
        self.session = attached["sessionId"]
        await self.send("Page.enable")
        await self.send("Page.addScriptToEvaluateOnNewDocument", source=NOTE_TERMINALS)
        if self.downloads is not None:
            self.downloads.mkdir(parents=True, exist_ok=True)
            await self.send(
                "Browser.setDownloadBehavior",
                page=False,
                behavior="allow",
                downloadPath=str(self.downloads),
                eventsEnabled=True,
            )

    async def _read(self) -> None:
        assert self.ws is not None
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = message.json()
            future = self.waiting.pop(data.get("id", -1), None)
            if future is not None and not future.done():
                future.set_result(data)
            elif "method" in data:
                self.events.append(data)

    async def send(
        self, method: str, timeout: float = 15.0, page: bool = True, **params: Any
    ) -> dict:
        """A CDP command, to the page (or with page=False, to the browser); its result."""
        assert self.ws is not None
        mid = next(self.ids)
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self.waiting[mid] = future
        message: dict[str, Any] = {"id": mid, "method": method, "params": params}
        if page:
            message["sessionId"] = self.session
        await self.ws.send_json(message)
        reply = await asyncio.wait_for(future, timeout)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def open(self, url: str) -> None:
        await self.send("Page.navigate", url=url)

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def screen(self) -> str:
        """The terminal's rows as text ('' until the page has made its terminal)."""
        return await self.evaluate(SCREEN_TEXT) or ""

    async def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = await self.screen()
            if text in shown:
                return shown
            await asyncio.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear; the terminal shows:\n{shown}")

    async def focus_terminal(self) -> None:
        await self.evaluate("document.querySelector('.xterm-helper-textarea').focus()")

    async def type(self, text: str) -> None:
        await self.send("Input.insertText", text=text)

    async def press(self, name: str) -> None:
        """A key by name ('Enter', 'F2', 'ctrl+o', 'Escape')."""
        *mods, key = name.split("+")
        modifiers = sum(MODIFIERS[m.lower()] for m in mods)
        if key in KEYS:
            key, code, vk, text = KEYS[key]
        else:  # a letter or digit
            code, vk, text = f"Key{key.upper()}", ord(key.upper()), key
        if modifiers & (MODIFIERS["ctrl"] | MODIFIERS["alt"]):
            text = ""
        common = {"key": key, "code": code, "windowsVirtualKeyCode": vk, "modifiers": modifiers}
        await self.send("Input.dispatchKeyEvent", type="keyDown", text=text, **common)
        await self.send("Input.dispatchKeyEvent", type="keyUp", **common)

    async def screenshot(self, path: Path) -> Path:
        shot = await self.send("Page.captureScreenshot", format="png")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    async def wait_for_download(self, timeout: float = 20.0) -> Path:
        """The first download the page finishes, as a file in the downloads folder."""
        assert self.downloads is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            names = {
                e["params"]["guid"]: e["params"]["suggestedFilename"]
                for e in self.events
                if e["method"] == "Browser.downloadWillBegin"
            }
            for event in self.events:
                params = event["params"]
                if event["method"] == "Browser.downloadProgress" and params["state"] == "completed":
                    guid = params["guid"]
                    for candidate in (
                        self.downloads / names.get(guid, guid),
                        self.downloads / guid,
                    ):
                        if candidate.exists():
                            return candidate
            await asyncio.sleep(0.1)
        raise AssertionError(f"no download finished in {timeout} s")

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.send("Browser.close", timeout=3, page=False)
            await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(BaseException):
                await self.reader
        if self.http is not None:
            await self.http.close()
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)
