"""squeeze_sgr: fewer bytes, the same cells with the same attributes."""

import re

from hypothesis import given
from hypothesis import strategies as st

from artui.terminal_output import squeeze_sgr

TOKEN = re.compile(r"\x1b\[([0-9;]*)m|\x1b\[(\d+);(\d+)H|(\r\n|\n)|([^\x1b\r\n])")


def cells(data: str) -> list[tuple]:
    """What a terminal does with `data`: each character with the attributes in force
    (the SGRs since the last reset), and each move; a start in an unknown state."""
    state: tuple[str, ...] = ("?",)
    out: list[tuple] = []
    for sgr, row, col, newline, char in TOKEN.findall(data):
        if row:
            out.append(("move", row, col))
        elif newline:
            out.append(("newline", state))
        elif char:
            out.append((char, state))
        elif sgr in ("0", ""):
            state = ()
        else:
            state = (*state, sgr)
    return out


ROW = (
    "\x1b[4;1H\x1b[38;5;253;48;5;234m C10002  \x1b[0m\x1b[38;5;253;48;5;234m Acme Ltd \x1b[0m"
    "\x1b[1;38;5;253;48;5;234m  19,576.40!\x1b[0m\x1b[38;5;253;48;5;234m \x1b[0m"
    "\x1b[4;79H\x1b[38;5;23;48;5;235m  \x1b[0m\r\n"
    "\x1b[5;1H\x1b[38;5;253;48;5;235m C10066  \x1b[0m\x1b[38;5;253;48;5;235m Apex \x1b[0m"
)


def test_a_table_row_says_the_same_in_fewer_bytes():
    squeezed = squeeze_sgr(ROW)
    assert cells(squeezed) == cells(ROW)
    assert len(squeezed) == len(ROW) - 24  # one reset and its repeat, in the second row
    assert " C10066   Apex " in squeezed  # two cells of one style: one run


def test_text_between_a_reset_and_the_same_style_keeps_both():
    data = "\x1b[0m\x1b[1mA\x1b[0m plain \x1b[1mB\x1b[0m"
    assert squeeze_sgr(data) == data


def test_stacked_styles_are_left_alone():
    data = "\x1b[0m\x1b[97m\x1b[40mA\x1b[0m\x1b[40mB\x1b[0m"
    assert cells(squeeze_sgr(data)) == cells(data)


PIECES = st.sampled_from(
    ["\x1b[0m", "\x1b[m", "\x1b[1m", "\x1b[38;5;253m", "\x1b[7m", "\x1b[3;1H", "\x1b[12;40H"]
    + ["a", "b ", "\r\n", "\n", "xyz"]
)


@given(st.lists(PIECES, max_size=40))
def test_any_stream_keeps_its_cells(pieces):
    data = "".join(pieces)
    squeezed = squeeze_sgr(data)
    assert cells(squeezed) == cells(data)
    assert len(squeezed) <= len(data)


def test_artui_mouse_0_turns_the_mouse_off(monkeypatch):
    from artui.app import mouse_wanted

    monkeypatch.delenv("ARTUI_MOUSE", raising=False)
    assert mouse_wanted()
    for off in ("0", "false", "No", "off "):
        monkeypatch.setenv("ARTUI_MOUSE", off)
        assert not mouse_wanted()
    monkeypatch.setenv("ARTUI_MOUSE", "1")
    assert mouse_wanted()
