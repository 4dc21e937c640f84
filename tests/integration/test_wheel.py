"""The wheel a team installs (`make wheel`, then pipx or `uv tool install`): it holds the
four packages, the app's stylesheet and the migrations, and works away from the checkout.

The dependencies are not installed again (that needs the network and a minute): the
wheel's own files go in a folder of their own, in front of this venv's site-packages."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]  # one build
ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-11-24"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if built.returncode != 0 and "hatchling" in built.stderr and "No matching" in built.stderr:
        pytest.skip("hatchling (the build backend) could not be fetched: offline?")
    assert built.returncode == 0, built.stderr
    (path,) = out.glob("*.whl")
    return path


def test_the_wheel_holds_the_packages_the_stylesheet_and_the_migrations(wheel):
    assert wheel.name.startswith("artui_workstation-")  # `artui` is taken on PyPI
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in ("artui", "screens", "widgets", "db"):
        assert f"{package}/__init__.py" in names
    assert "artui/app.tcss" in names
    assert "artui/cli_serve.py" in names
    assert "db/migrations/env.py" in names
    assert "db/migrations/script.py.mako" in names
    ours = sorted(p.name for p in (ROOT / "db/migrations/versions").glob("*.py"))
    held = sorted(Path(n).name for n in names if n.startswith("db/migrations/versions/"))
    assert held == ours
    entry = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "artui = artui.__main__:main" in zipfile.ZipFile(wheel).read(entry).decode()
    assert not [n for n in names if n.startswith("tests/") or "__pycache__" in n]


def test_the_installed_wheel_works_away_from_the_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), wheel],
        check=True,
        capture_output=True,
        timeout=120,
    )
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "ARTUI_USER": "alice",
        "ARTUI_TODAY": TODAY,
    }
    env.pop("ARTUI_DB", None)

    def artui(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "artui", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    where = subprocess.run(
        [sys.executable, "-c", "import artui, screens; print(artui.__file__, screens.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.count(str(site)) == 2, where
    assert "serve" in artui("--help").stdout
    made = artui("demo", "--customers", "20")
    assert made.returncode == 0, made.stderr
    assert (home / "data/artui/book.db").exists()
    checked = artui("check")
    assert checked.returncode == 0, checked.stderr
    assert "every invariant holds" in checked.stdout
