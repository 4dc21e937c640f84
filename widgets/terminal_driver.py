"""Escape without the wait. A lone Escape byte may be the start of an arrow key or an
Alt key, so the parser holds it for ESCDELAY ms; but Textual's Linux driver only looks
at the clock when its 100 ms wait for input runs out, so Escape answered in ~110 ms
whatever ESCDELAY said (measured through a pty). This driver waits no longer than
ESCDELAY while the parser holds an Escape, and 100 ms otherwise (no extra wake-ups when
idle). It is Textual 8's input loop with that one change."""

import os
import selectors
from codecs import getincrementaldecoder

from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

IDLE_WAIT = 0.1  # Textual's own


class QuickEscapeDriver(LinuxDriver):
    def _sigcont_application(self, *args) -> None:  # noqa: ANN002
        # The kernel sends SIGCONT with the SIGHUP of a terminal that hangs up (an SSH
        # link dropped, tmux killed). Textual resumed on it, starting a second output
        # thread on the dead terminal; closing then waited for ever on a full queue, and
        # the program hung with the book open. Resume only what Ctrl+Z suspended.
        if self._must_signal_resume:
            super()._sigcont_application(*args)

    def run_input_thread(self) -> None:
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode

        def process(ready: list, final: bool = False) -> None:
            for n, (_key, mask) in enumerate(ready):
                if mask & selectors.EVENT_READ:
                    data = decode(
                        os.read(self.fileno, 1024 * 4), final=final and n == len(ready) - 1
                    )
                    if not data:
                        break  # stdin piped and closed
                    for event in parser.feed(data):
                        self.process_message(event)
            for event in parser.tick():
                self.process_message(event)

        def wait() -> float:
            # the parser holds an Escape (or a partial sequence) until this deadline
            deadline = getattr(parser, "_timeout_time", None)
            if deadline is None:
                return IDLE_WAIT
            return min(IDLE_WAIT, max(0.001, deadline - get_time()))

        try:
            while not self.exit_event.is_set():
                process(selector.select(wait()))
            selector.unregister(self.fileno)
            process(selector.select(IDLE_WAIT), final=True)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass
