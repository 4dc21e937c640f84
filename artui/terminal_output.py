"""Fewer bytes to the terminal for the same screen: it matters to a clerk on a thin SSH
link. The renderer writes every cell of a table as `ESC[style m text ESC[0m`, even when
the next cell has the same style; a reset followed by the same style again (with at most
cursor moves between) changes nothing on screen, so both are dropped. A table repaint
shrinks by about half."""

import re

_SGR = re.compile(r"(\x1b\[[0-9;]*m)")
_MOVES = re.compile(r"(?:\x1b\[\d+;\d+H)*")  # cursor positioning only: no text, no erase
_RESETS = ("\x1b[0m", "\x1b[m")


def squeeze_sgr(data: str) -> str:
    """`data` with every `reset, same style again` pair removed: the same cells, the same
    attributes. What is in force when `data` starts is unknown, so its first style is
    kept as written."""
    parts = _SGR.split(data)  # text, SGR, text, SGR, ..., text
    if len(parts) < 5:
        return data
    out = [parts[0]]
    style: str | None = None  # the one SGR written since the last reset, if just one
    fresh = False  # a reset with nothing written on top of it yet
    i, n = 1, len(parts)
    while i < n:
        sgr, text = parts[i], parts[i + 1]
        if (
            sgr in _RESETS
            and style is not None
            and i + 2 < n
            and parts[i + 2] == style
            and _MOVES.fullmatch(text)
        ):
            out.append(text)
            out.append(parts[i + 3])
            i += 4
            continue
        out.append(sgr)
        out.append(text)
        if sgr in _RESETS:
            style, fresh = None, True
        elif fresh:
            style, fresh = sgr, False
        else:
            style = None  # styles stacked on styles: not tracked, nothing merged
        i += 2
    return "".join(out)
