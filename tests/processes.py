"""The mock as a separate process (`python -m mock_server`), its banner read back from stdout."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

START_TIMEOUT = 30.0
BANNER_END = "Stop with Ctrl-C."


@dataclass
class Banner:
    url: str
    base_url: str
    tokens: list[str]
    workspaces: dict[str, tuple[int, int]]  # name -> (personas, workflows)
    text: str

    @classmethod
    def parse(cls, text: str) -> Banner:
        listening = re.search(r"Listening on (http://\S+)", text)
        base = re.search(r"Base URL:\s+(http://\S+)", text)
        assert listening and base, f"no URL in the banner:\n{text}"
        return cls(
            url=listening.group(1),
            base_url=base.group(1),
            tokens=re.findall(r"Token:\s+Authorization: Bearer (\S+)", text),
            workspaces={
                name: (int(personas), int(workflows))
                for name, personas, workflows in re.findall(
                    r"Workspace:\s+(\S+) \((\d+) personas, (\d+) workflows\)", text
                )
            },
            text=text,
        )


def clean_env() -> dict[str, str]:
    """The environment without anything that would point Python at this checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class MockProcess:
    """A running `python -m mock_server`; stdout and stderr are drained by threads."""

    proc: subprocess.Popen[str]
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    _lines: queue.Queue[str | None] = field(default_factory=queue.Queue)
    _readers: list[threading.Thread] = field(default_factory=list)

    @classmethod
    def start(cls, *args: str, python: str | Path = sys.executable, cwd: Path | None = None) -> MockProcess:
        proc = subprocess.Popen(
            [str(python), "-m", "mock_server", *args],
            cwd=cwd,
            env=clean_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        mock = cls(proc)
        assert proc.stdout is not None and proc.stderr is not None
        for stream, into, announce in ((proc.stdout, mock.stdout, True), (proc.stderr, mock.stderr, False)):
            reader = threading.Thread(target=mock._drain, args=(stream, into, announce), daemon=True)
            reader.start()
            mock._readers.append(reader)
        return mock

    def _drain(self, stream: IO[str], into: list[str], announce: bool) -> None:
        for line in stream:
            into.append(line.rstrip("\n"))
            if announce:
                self._lines.put(line)
        if announce:
            self._lines.put(None)

    def banner(self, timeout: float = START_TIMEOUT) -> Banner:
        """The startup banner, once it is printed in full (the server is listening by then)."""
        deadline = time.monotonic() + timeout
        text = ""
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no banner within {timeout}s; stderr:\n" + self.stderr_text) from None
            if line is None:
                self.proc.wait(timeout=5)
                raise AssertionError(f"exited with {self.proc.returncode} before serving:\n" + self.stderr_text)
            text += line
            if line.strip() == BANNER_END:
                return Banner.parse(text)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Sends `sig`, waits for the exit and the last output; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        self._join_output()
        return code

    def wait(self, timeout: float = START_TIMEOUT) -> int:
        code = self.proc.wait(timeout=timeout)
        self._join_output()
        return code

    def _join_output(self) -> None:
        for reader in self._readers:
            reader.join(timeout=5)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    @property
    def stderr_text(self) -> str:
        return "\n".join(self.stderr)
