"""A throwaway OpenSSH server on loopback, for driving the real `artui` over SSH.

Its own host key, sshd_config and authorized_keys live in a temporary folder; it runs
in the foreground (`sshd -D -e -f config`) on a free port. As root (CI) the login is a
test clerk made with `useradd`; otherwise, or when that user cannot run this Python
(it may live under a home the clerk cannot read), the login is the current user.
`SshUnavailable` says why there is no server; the tests skip with that sentence."""

import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SSHD = "/usr/sbin/sshd"
CLERK = "artuiclerk"


class SshUnavailable(Exception):
    """No SSH server can be run here; the message says why."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _can_run_python(user: str) -> bool:
    """Whether `user` can start this interpreter (and so the installed `artui`)."""
    if shutil.which("runuser") is None:
        return False
    probe = subprocess.run(
        ["runuser", "-u", user, "--", sys.executable, "-c", "import artui"],
        capture_output=True,
        cwd="/",
    )
    return probe.returncode == 0


def _login_user() -> str:
    """The test clerk (created when we are root and it can run ARTUI), else ourselves."""
    me = pwd.getpwuid(os.getuid()).pw_name
    if os.getuid() != 0:
        return me
    try:
        pwd.getpwnam(CLERK)
    except KeyError:
        # '*' rather than the locked '!': sshd without PAM refuses locked accounts
        made = subprocess.run(
            ["useradd", "--create-home", "--shell", "/bin/sh", "--password", "*", CLERK],
            capture_output=True,
            text=True,
        )
        if made.returncode != 0:
            return me
    return CLERK if _can_run_python(CLERK) else me


class SshServer:
    """sshd on 127.0.0.1:port, with a key that logs `user` in."""

    def __init__(self) -> None:
        if not os.path.exists(SSHD):
            raise SshUnavailable(f"{SSHD} is not installed (the CI script installs openssh-server)")
        if shutil.which("ssh") is None or shutil.which("ssh-keygen") is None:
            raise SshUnavailable("the OpenSSH client (ssh, ssh-keygen) is not installed")
        self.user = _login_user()
        self.home = Path(pwd.getpwnam(self.user).pw_dir)
        self.dir = Path(tempfile.mkdtemp(prefix="artui-sshd-"))
        self.dir.chmod(0o755)  # the login user reads authorized_keys from here
        if os.getuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # privilege separation
        for name in ("host_key", "client_key"):
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.dir / name)],
                check=True,
                capture_output=True,
            )
        self.key = self.dir / "client_key"
        (self.dir / "authorized_keys").write_text((self.dir / "client_key.pub").read_text())
        (self.dir / "authorized_keys").chmod(0o644)
        self.port = _free_port()
        host_pub = (self.dir / "host_key.pub").read_text().split()
        self.known_hosts = self.dir / "known_hosts"
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {host_pub[0]} {host_pub[1]}\n")
        config = self.dir / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    f"Port {self.port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {self.dir / 'host_key'}",
                    f"PidFile {self.dir / 'sshd.pid'}",
                    f"AuthorizedKeysFile {self.dir / 'authorized_keys'}",
                    f"AllowUsers {self.user}",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PermitRootLogin prohibit-password",
                    "UsePAM no",
                    "StrictModes no",  # the key lives under /tmp, which is world-writable
                    "PrintMotd no",
                    "PrintLastLog no",
                    "X11Forwarding no",
                    "AllowTcpForwarding no",
                    "LogLevel ERROR",
                    "",
                ]
            )
        )
        self.log = self.dir / "sshd.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [SSHD, "-D", "-e", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_listening()
        probe = self.run("true", timeout=20)
        if probe.returncode != 0:
            self.stop()
            raise SshUnavailable(f"cannot log in over SSH as {self.user}: {probe.stderr.strip()}")

    def _wait_listening(self, timeout: float = 10.0) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SshUnavailable(f"sshd did not start: {self.log.read_text().strip()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise SshUnavailable(f"sshd did not listen on port {self.port} within {timeout:g} s")

    def ssh_argv(self, remote: str, *, tty: bool) -> list[str]:
        """The client command line that runs `remote` (a shell command) as the user."""
        return [
            "ssh",
            "-F",
            "/dev/null",
            "-p",
            str(self.port),
            "-i",
            str(self.key),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            f"UserKnownHostsFile={self.known_hosts}",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "LogLevel=ERROR",
            "-tt" if tty else "-T",
            f"{self.user}@127.0.0.1",
            remote,
        ]

    def ssh_command(self, remote: str) -> str:
        """The same as one shell line with a pseudo-terminal: for a tmux pane."""
        return shlex.join(self.ssh_argv(remote, tty=True))

    def run(self, remote: str, timeout: float = 60) -> subprocess.CompletedProcess:
        """`remote` over SSH without a terminal: its exit code and output."""
        return subprocess.run(
            self.ssh_argv(remote, tty=False),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    def give(self, path: Path) -> None:
        """Make `path` (a folder and what is in it) the login user's."""
        if os.getuid() != 0:
            return
        entry = pwd.getpwnam(self.user)
        for p in [path, *path.rglob("*")]:
            os.chown(p, entry.pw_uid, entry.pw_gid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def remote(argv: list[str], env: dict[str, str] | None = None) -> str:
    """A shell line for the login shell: `exec env K=V... argv` (exec: the program is the
    session's process, as when a clerk's login runs it, so a dropped link hangs it up)."""
    pairs = [f"{k}={v}" for k, v in (env or {}).items()]
    return "exec " + shlex.join(["env", *pairs, *argv])
