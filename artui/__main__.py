"""Entry point: `artui` with no sub-command opens the workstation; anything else is the
command line. Terminal variables Textual reads at import time are set here, first."""

import gc
import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    # Escape must not wait for a possible Alt sequence; Textual reads this at import.
    os.environ.setdefault("ESCDELAY", "25")
    # The imports make a few hundred thousand objects that live as long as the program:
    # the collector's passes over them were ~8% of the start. The workstation freezes
    # them and turns it back on (ArtuiApp); the command line turns it on here.
    gc.disable()
    from artui.workstation import main as workstation

    if workstation(argv):  # `artui [--db X]`: without the command line's parser
        return
    gc.enable()
    from artui.cli import run

    run(argv)


if __name__ == "__main__":
    main()
