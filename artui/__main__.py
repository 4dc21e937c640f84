"""Entry point: `artui` with no sub-command opens the workstation; anything else is the
command line. Terminal variables Textual reads at import time are set here, first."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    # Escape must not wait for a possible Alt sequence; Textual reads this at import.
    os.environ.setdefault("ESCDELAY", "25")
    from artui.workstation import main as workstation

    if workstation(argv):  # `artui [--db X]`: without the command line's parser
        return
    from artui.cli import run

    run(argv)


if __name__ == "__main__":
    main()
