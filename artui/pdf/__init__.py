"""PDF layouts (fpdf2): statements, and the shared page furniture and fonts.

Plain `cell()` layouts, not fpdf2's table helper (about 4x faster). The DejaVu fonts ship
with ARTUI (artui/pdf/fonts, Bitstream Vera licence) so that accented and other non-Latin
names render on any machine; a CJK system font is used as a fallback where one exists.
"""
