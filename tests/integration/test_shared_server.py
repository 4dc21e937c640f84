"""One server, many clerks: a book made with `artui init --group` is written by two OS
users in turn and at once (the -wal/-shm files one clerk makes stay the group's and
group-writable for the other). And the company's `unknown_user` setting: a user the book
does not know is refused at start, or works read-only."""

import grp
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

from artui.book import open_book
from artui.settings import update_company

from .conftest import TODAY
from .test_faults import can_run_artui

ARTUI = str(Path(sys.executable).with_name("artui"))
ROOT = os.geteuid() == 0
LOGIN_VARS = ("LOGNAME", "USER", "LNAME", "USERNAME", "ARTUI_USER", "ARTUI_DB")


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The login name comes from the OS account, as over SSH."""
    env = {k: v for k, v in os.environ.items() if k not in LOGIN_VARS}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), ARTUI_TODAY=TODAY.isoformat())
    env.update(extra)
    return env


def artui(db: Path, *args: str, env: dict[str, str], as_user: str | None = None):  # noqa: ANN001
    cmd = [*(as_os_user(as_user) if as_user else []), ARTUI, "--db", str(db), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


def as_os_user(name: str) -> list[str]:
    """Run as that OS account with its own groups (root ignores file permissions)."""
    gid = pwd.getpwnam(name).pw_gid
    return ["setpriv", f"--reuid={name}", f"--regid={gid}", "--init-groups"]


def csv_of(path: Path, prefix: str, count: int) -> Path:
    rows = ["account,name"] + [f"{prefix}{i},Customer {prefix}{i}" for i in range(count)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    path.chmod(0o644)
    return path


HOLD = """
import sys
from sqlalchemy import text
from db.engine import make_engine
engine = make_engine(sys.argv[1])
with engine.connect() as conn:
    conn.execute(text("SELECT count(*) FROM customer")).scalar()
    conn.commit()
    print("holding", flush=True)
    sys.stdin.readline()
"""


@pytest.mark.skipif(not ROOT or not shutil.which("setpriv"), reason="needs root (useradd)")
def test_two_clerks_share_a_book_through_a_group(tmp_path):
    tag = uuid.uuid4().hex[:6]
    group, clerks = f"artui{tag}", [f"ann{tag}", f"bob{tag}"]
    top = Path(tempfile.mkdtemp(prefix="artui-shared-"))
    made: list[list[str]] = []
    try:
        subprocess.run(["groupadd", group], check=True)
        made.append(["groupdel", group])
        for name in clerks:
            subprocess.run(
                ["useradd", "-M", "-N", "-g", group, "-s", "/usr/sbin/nologin", name], check=True
            )
            made.insert(0, ["userdel", name])
        if not can_run_artui(as_os_user(clerks[0])):
            pytest.skip("a new user cannot run this checkout's Python (its folder is private)")
        gid = grp.getgrnam(group).gr_gid
        top.chmod(0o755)
        db = top / "artui" / "book.db"
        admin = clean_env(top, ARTUI_USER="boss")
        init = artui(db, "init", "--company", "Shared Co", "--group", group, env=admin)
        assert init.returncode == 0, init.stderr
        folder = db.parent.stat()
        assert stat.S_IMODE(folder.st_mode) == 0o2770 and folder.st_gid == gid
        assert stat.S_IMODE(db.stat().st_mode) == 0o660 and db.stat().st_gid == gid
        for name in clerks:
            added = artui(db, "user", "add", name, env=admin)
            assert added.returncode == 0, added.stderr

        env = clean_env(top)
        ann = artui(db, "import", "customers", str(csv_of(top / "a.csv", "A", 5)), env=env,
                    as_user=clerks[0])  # fmt: skip
        assert ann.returncode == 0, ann.stderr

        # ann keeps the book open: bob writes through the -wal/-shm files she made
        holder = subprocess.Popen(
            [*as_os_user(clerks[0]), sys.executable, "-c", HOLD, str(db)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
            cwd=str(Path(__file__).resolve().parents[2]),
        )  # fmt: skip
        try:
            assert holder.stdout.readline().strip() == "holding"
            for suffix in ("-wal", "-shm"):
                made_by_ann = Path(str(db) + suffix).stat()
                assert made_by_ann.st_gid == gid
                assert made_by_ann.st_mode & 0o060 == 0o060, oct(made_by_ann.st_mode)
            bob = artui(db, "import", "customers", str(csv_of(top / "b.csv", "B", 5)), env=env,
                        as_user=clerks[1])  # fmt: skip
            assert bob.returncode == 0, bob.stderr
        finally:
            holder.communicate("\n", timeout=30)
        again = artui(db, "import", "customers", str(csv_of(top / "c.csv", "C", 5)), env=env,
                      as_user=clerks[0])  # fmt: skip
        assert again.returncode == 0, again.stderr
        check = artui(db, "check", env=admin)
        assert check.returncode == 0, check.stderr
        aging = artui(db, "export", "customers", env=admin)
        assert aging.returncode == 0, aging.stderr
        assert sum(line[:1] in "ABC" for line in aging.stdout.splitlines()[1:]) == 15
        # a stranger to the group cannot even open the book's folder
        stranger = artui(db, "aging", env=clean_env(top), as_user="nobody")
        assert stranger.returncode == 1 and "Traceback" not in stranger.stderr
    finally:
        for cmd in made:
            subprocess.run(cmd, check=False, capture_output=True)
        shutil.rmtree(top, ignore_errors=True)


def test_init_group_refusals(tmp_path):
    env = clean_env(tmp_path, ARTUI_USER="boss")
    missing = artui(tmp_path / "a" / "book.db", "init", "--group", "no-such-group-x", env=env)
    assert missing.returncode == 1
    assert "There is no group no-such-group-x" in missing.stderr
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    group = grp.getgrgid(os.getegid()).gr_name
    busy = artui(tmp_path / "busy" / "book.db", "init", "--group", group, env=env)
    assert busy.returncode == 1 and "a folder of its own" in busy.stderr
    assert not (tmp_path / "busy" / "book.db").exists()


def test_unknown_user_refused_or_read_only_as_the_settings_say(tmp_path):
    db = tmp_path / "book.db"
    book = open_book(str(db), "alice", create=True, company="Users Co", today=TODAY)
    env = clean_env(tmp_path)
    csv = csv_of(tmp_path / "c.csv", "U", 2)
    # 'refuse' (the default): every command, and the workstation, before it starts
    for args in (("aging",), ("import", "customers", str(csv)), ()):
        run = artui(db, "--user", "mallory", *args, env=env)
        assert run.returncode == 1, (args, run.stderr)
        assert "mallory is not a user of this book" in run.stderr
        assert "artui user add mallory" in run.stderr and "Traceback" not in run.stderr
    # 'readonly': reads work, writes are refused naming the user
    version = book.read(lambda tx: tx.company()["version"])
    update_company(book, version, {"unknown_user": "readonly"})
    book.dispose()
    reads = artui(db, "--user", "mallory", "aging", env=env)
    assert reads.returncode == 0, reads.stderr
    writes = artui(db, "--user", "mallory", "import", "customers", str(csv), env=env)
    assert writes.returncode == 1
    assert "mallory is not a user of this book, so it is read-only for you" in writes.stderr
    known = artui(db, "--user", "alice", "import", "customers", str(csv), env=env)
    assert known.returncode == 0, known.stderr
