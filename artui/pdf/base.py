"""The page every ARTUI PDF is drawn on: fonts, text that fits, headers that repeat."""

import datetime as dt
import io
import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
# CJK glyphs are not in DejaVu: a system font covering them is used where one exists.
CJK_CANDIDATES = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)

# fpdf2 names each missing glyph in a warning; a statement lists them as blanks instead.
logging.getLogger("fpdf").setLevel(logging.ERROR)


class Page(FPDF):
    """Letter pages in millimetres with the house fonts. `continuation` draws the top of
    every page after a document's first (its repeated table header); `footer_text` gives
    the footer of the current page."""

    def __init__(self, orientation: str = "P", cjk: bool = False) -> None:
        super().__init__(orientation=orientation, unit="mm", format="Letter")
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        # The CJK font costs ~300 ms to load: only for documents that need it.
        fallback = next((p for p in CJK_CANDIDATES if Path(p).exists()), None) if cjk else None
        if fallback:
            self.add_font("CJK", "", fallback)
            self.set_fallback_fonts(["CJK"])
        self.set_margins(15, 12, 15)
        self.set_auto_page_break(True, margin=18)
        self.continuation: Callable[[], None] | None = None
        self.footer_text: Callable[[], str] | None = None
        self.first_page = 1  # page number where the current document started
        self._pending: Callable[[], str] | None = None

    def start_document(self, footer_text: Callable[[], str]) -> None:
        """A new document (a statement of a run) from a new page. fpdf2 draws the footer
        of the page before while opening this one: it keeps the old document's text."""
        self.continuation = None
        self._pending = footer_text
        self.add_page()

    def page_in_document(self) -> int:
        return self.page_no() - self.first_page + 1

    def header(self) -> None:
        if self._pending is not None:
            self.footer_text, self._pending = self._pending, None
            self.first_page = self.page_no()
            return
        if self.continuation is not None and self.page_no() > self.first_page:
            self.continuation()

    def footer(self) -> None:
        if self.footer_text is None:
            return
        self.set_y(-13)
        self.font(7)
        self.set_text_color(90)
        self.cell(0, 4, self.footer_text(), align="C")
        self.set_text_color(0)

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)

    def fit(self, text: str, width: float) -> str:
        """`text` cut (with an ellipsis) to fit `width` mm in the current font."""
        text = " ".join(str(text).split())  # no control characters or line breaks
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"

    def row(
        self,
        cells: Sequence[tuple[str, float, str]],
        height: float = 5,
        *,
        bold: bool = False,
        size: float = 8,
        fill: bool = False,
    ) -> None:
        """One line of (text, width, align) cells, each cut to fit."""
        self.font(size, bold)
        for text, width, align in cells:
            self.cell(width, height, self.fit(text, width - 1.5), align=align, fill=fill)
        self.ln(height)


def needs_cjk(texts: Iterable[str]) -> bool:
    """Whether any text holds a character of the CJK blocks (DejaVu has none of them)."""
    return any(
        any("\u2e80" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef" for ch in t) for t in texts
    )


def new_page_set(created: dt.datetime, orientation: str = "P", cjk: bool = False) -> Page:
    """A document whose bytes depend only on what is drawn and on `created`."""
    pdf = Page(orientation, cjk)
    pdf.set_creation_date(created)
    pdf.set_creator("ARTUI")
    return pdf


def split(pdf_bytes: bytes, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """Cut one PDF into several by page ranges (first, last; 1-based, inclusive)."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdf_bytes))
    out = []
    for first, last in ranges:
        writer = PdfWriter()
        for n in range(first - 1, last):
            writer.add_page(reader.pages[n])
        writer.add_metadata({"/Creator": "ARTUI", "/Producer": "ARTUI"})
        # The file identifier from the content, so that a reprint is byte-identical.
        import hashlib

        digest = hashlib.md5(pdf_bytes, usedforsecurity=False).hexdigest()
        from pypdf.generic import ArrayObject, ByteStringObject

        ident = ByteStringObject(bytes.fromhex(digest) + first.to_bytes(4, "big"))
        writer._ID = ArrayObject([ident, ident])
        buf = io.BytesIO()
        writer.write(buf)
        out.append(buf.getvalue())
    return out


def merge(files: Sequence[Path], target: Path) -> None:
    """One PDF of several (the mail room's print file)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for f in files:
        writer.append(str(f))
    with open(target, "wb") as fh:
        writer.write(fh)
