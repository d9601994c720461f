"""Servers under test as child processes: started in their own process group, timed to their
first 200, measured (RSS) and always stopped by PID, also on an error or Ctrl-C."""

from __future__ import annotations

import atexit
import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psutil

TOKEN = "dev-token"
WORKSPACE = "demo"
BASE_PATH = f"/api/v3/workspaces/{WORKSPACE}"
READY_PATH = f"{BASE_PATH}/workflows/?page=1&page_size=20"

_running: dict[int, subprocess.Popen[bytes]] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Running:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    startup_s: float
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mb(self) -> float:
        """Resident memory of the process and its children (Prism may fork)."""
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return float("nan")
        total = 0
        for proc in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += proc.memory_info().rss
        return total / 2**20

    def stop(self) -> None:
        stop(self.process)


def start(name: str, argv: Sequence[str], url: str, log: Path, timeout: float = 120.0) -> Running:
    """Launches `argv` and waits for a 200 on the list endpoint; the wait is the start-up time."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(argv), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    _running[process.pid] = process
    try:
        _wait_ready(process, url, started + timeout)
    except BaseException:
        stop(process)
        raise
    return Running(name, process, url, time.perf_counter() - started, log)


def start_local(name: str, command: Callable[[int], Sequence[str]], log: Path, timeout: float = 120.0) -> Running:
    """`start` on a free loopback port; `command(port)` is the argv of a server listening on it."""
    port = free_port()
    return start(name, command(port), f"http://127.0.0.1:{port}", log, timeout)


def _wait_ready(process: subprocess.Popen[bytes], url: str, deadline: float) -> None:
    parts = urlsplit(url)
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering: {' '.join(process.args)}")
        if time.perf_counter() > deadline:
            raise TimeoutError(f"no 200 from {url} in time")
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
            conn.request("GET", READY_PATH, headers={"Authorization": f"Bearer {TOKEN}"})
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.005)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group we created, SIGKILL if it lingers."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    _running.pop(process.pid, None)


def stop_each(servers: Iterable[Running]) -> None:
    for server in servers:
        server.stop()


def stop_all() -> None:
    for process in list(_running.values()):
        stop(process)


@contextlib.contextmanager
def cleanup() -> Iterator[None]:
    """Everything started inside is stopped on the way out, SIGTERM included."""
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        yield
    finally:
        stop_all()
        signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


atexit.register(stop_all)
