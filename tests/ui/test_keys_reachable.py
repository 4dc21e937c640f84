"""Every action without F-keys and without Alt: some terminals and SSH clients swallow
F-keys (GNOME Terminal takes F10), and Alt arrives as Escape plus a key, which a slow
link can split. Each global F/Alt key has a plain twin or a command-palette entry, and
a screen's own F/Alt keys (F10 Post) are in the palette while that screen is in view."""

import asyncio
from functools import partial

from artui.app import ArtuiApp, ScreenKeysProvider, ScreensProvider
from screens.invoice_entry import InvoiceScreen
from screens.receipts import ReceiptsScreen


def swallowable(key: str) -> bool:
    return key.startswith("alt+") or (key.startswith("f") and key[1:].isdigit())


async def hits(provider, query: str) -> list:
    return [hit async for hit in provider.search(query)]


def test_every_global_f_and_alt_key_has_a_plain_way(book):
    async def run() -> None:
        app = ArtuiApp(book)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            plain = {b.action for b in app.BINDINGS if not swallowable(b.key)}
            palette = ScreensProvider(app.screen)
            missing = []
            for b in app.BINDINGS:
                if not swallowable(b.key) or b.action in plain:
                    continue
                wanted = getattr(app, f"action_{b.action}")
                found = await hits(palette, b.description)
                if not any(h.command == wanted for h in found):
                    missing.append(f"{b.key} ({b.action})")
            assert not missing, f"reachable only by F-key or Alt: {missing}"

    asyncio.run(run())


def test_a_screens_f10_post_is_in_the_palette(book):
    async def run() -> None:
        app = ArtuiApp(book)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            for screen in (InvoiceScreen(), ReceiptsScreen()):
                app.push_screen(screen)
                await pilot.pause()
                [hit] = await hits(ScreenKeysProvider(screen), "post")
                assert "f10" in str(hit.match_display).lower()
                assert isinstance(hit.command, partial) and hit.command.args == ("post",)
                app.pop_screen()
                await pilot.pause()
            # and through the palette itself, by keys: Ctrl+P, a word, Enter
            app.push_screen(InvoiceScreen())
            await pilot.pause()
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"post (f10)")
            await pilot.pause(0.5)
            screen = app.screen_stack[-2]
            assert isinstance(screen, InvoiceScreen)
            posted: list[bool] = []
            screen._post_now = lambda: posted.append(True)  # what F10 leads to
            await pilot.press("enter")
            await pilot.pause(0.3)
            assert app.screen is screen and posted == [True]

    asyncio.run(run())
