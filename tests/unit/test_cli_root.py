"""`artui` with only root options opens the workstation without typer's parsing; anything
else (a command, --help, an unknown or incomplete option) still goes through typer."""

import pytest

from artui.workstation import workstation_only


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    for name in ("ARTUI_DB", "ARTUI_USER", "ARTUI_TODAY"):
        monkeypatch.delenv(name, raising=False)


def test_root_options_in_both_spellings():
    assert workstation_only([]) == {"db": None, "user": None, "today": None}
    assert workstation_only(["--db", "a.db", "--user=ann", "--today", "2026-01-02"]) == {
        "db": "a.db",
        "user": "ann",
        "today": "2026-01-02",
    }


def test_variables_fill_what_is_not_given(monkeypatch):
    monkeypatch.setenv("ARTUI_DB", "env.db")
    monkeypatch.setenv("ARTUI_USER", "bob")
    assert workstation_only(["--db", "flag.db"]) == {"db": "flag.db", "user": "bob", "today": None}


@pytest.mark.parametrize(
    "argv",
    [["check"], ["--db", "a.db", "check"], ["--help"], ["--db"], ["--theme", "x"], ["-h"]],
)
def test_anything_else_is_typers(argv):
    assert workstation_only(argv) is None
