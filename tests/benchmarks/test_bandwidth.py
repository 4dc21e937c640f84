"""Bytes to the terminal (tests/benchmarks/bandwidth.py): printed by `make bench` and
`make bench-small`. A screen that keeps writing when nothing happens (a ticking clock,
a blinking cursor, a spinner) fails; the other figures fail at about twice their
targets."""

import pytest

from . import bandwidth, suite


def test_bandwidth():
    reason = bandwidth.available()
    if reason:
        pytest.skip(reason)
    figures = bandwidth.measure_bandwidth()
    print("\n" + suite.table("ARTUI bytes to the terminal over SSH, 80x24 xterm-256color", figures))
    by = {f.name.strip(): f for f in figures}
    assert by["per second idle, lookup"].median == 0
    assert by["per second idle, account"].median == 0
    assert by["bytes to the terminal at start, 80x24"].median < 24_000
    assert by["per character typed in the lookup"].median < 8_000
    assert by["per Down in the lookup results (15 rows)"].median < 2_000
    assert by["per PageDown in an account's history"].median < 6_000
    assert by["Escape to the screen answering"].median < 100  # Textual alone: ~110 ms
