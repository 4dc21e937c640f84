"""Driving the real program in tmux, as a person would: send-keys and capture-pane."""

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ARTUI = str(Path(sys.executable).with_name("artui"))


def need_tmux() -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (the CI script installs it)")


class Tmux:
    def __init__(
        self, command: str, *, width: int = 80, height: int = 24, env: dict[str, str] | None = None
    ) -> None:
        need_tmux()
        self.name = "artui-" + uuid.uuid4().hex[:8]
        self.socket = f"/tmp/{self.name}.sock"
        full_env = {**os.environ, **(env or {})}
        exports = " ".join(f"{k}='{v}'" for k, v in (env or {}).items())
        subprocess.run(
            [
                "tmux",
                "-S",
                self.socket,
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(width),
                "-y",
                str(height),
                f"env {exports} {command}; sleep 60",
            ],
            check=True,
            env=full_env,
        )
        subprocess.run(["tmux", "-S", self.socket, "set", "-g", "escape-time", "10"], check=False)

    def keys(self, *keys: str, literal: bool = False) -> None:
        args = ["tmux", "-S", self.socket, "send-keys", "-t", self.name]
        if literal:
            args.append("-l")
        subprocess.run([*args, *keys], check=True)

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "-S", self.socket, "capture-pane", "-p", "-t", self.name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        deadline = time.time() + timeout
        screen = ""
        while time.time() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear; the screen shows:\n{screen}")

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], check=False, capture_output=True)
