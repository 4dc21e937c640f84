"""The layers stay one way: screens/widgets -> artui -> db, and the core stays free of
Textual outside artui/app.py and artui/cli.py (import-linter, configured in pyproject)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT = str(Path(sys.executable).with_name("lint-imports"))


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def test_contracts_kept():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_violation_is_caught(tmp_path):
    for name in ("artui", "screens", "widgets", "db"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "artui" / "sneaky.py").write_text("import textual.app\n")
    (tmp_path / "db" / "upward.py").write_text("import artui.money\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "artui.sneaky -> textual" in result.stdout
    assert "db.upward -> artui.money" in result.stdout
