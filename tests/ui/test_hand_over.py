"""ArtuiApp.hand_over: a file a screen wrote becomes a download in a browser (from the UI
thread or a worker), and in a terminal nothing more than the file on disk."""

from artui.app import ArtuiApp

from .test_workstation import settle, sync


def recording(app: ArtuiApp) -> list:
    handed: list = []
    app.deliver_binary = lambda path, **kw: handed.append(path)  # type: ignore[method-assign]
    return handed


@sync
async def test_in_a_terminal_the_file_on_disk_is_all(book, tmp_path):
    pdf = tmp_path / "aging.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        handed = recording(app)
        assert not app.is_web
        app.hand_over(pdf)
        assert handed == []


@sync
async def test_in_a_browser_the_file_is_downloaded_from_any_thread(book, tmp_path, monkeypatch):
    pdf = tmp_path / "journal.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    monkeypatch.setattr(ArtuiApp, "is_web", property(lambda self: True))
    app = ArtuiApp(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        handed = recording(app)
        app.hand_over(str(pdf))
        app.run_worker(lambda: app.hand_over(pdf), thread=True)
        app.hand_over(tmp_path / "never-written.pdf")
        await settle(pilot)
        assert handed == [pdf, pdf]
