"""`--state-file`: the state kept across restarts, never left half-written.

The file holds `snapshot.export` as JSON (the seed format, so it can also be used as a
`--seed`). It is loaded at start; afterwards a writer thread, woken by the store's change
listener, writes the latest state (changes that arrive while it writes are coalesced into
the next write), and `close` writes the final state on shutdown. Every write goes to a
temporary file in the same directory, is fsynced, renamed over the old file with
`os.replace` (atomic on POSIX) and the directory is fsynced, so a kill at any moment leaves
either the old or the new state on disk.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from api_spec import Contract

from . import seed, snapshot
from .store import Store

log = logging.getLogger(__name__)


def load(contract: Contract, path: Path) -> Store | None:
    """The store saved in `path`, or None when there is none yet (no file, or an empty one)."""
    _remove_leftovers(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise seed.SeedError(f"{path}: cannot read: {exc.strerror}") from None
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise seed.SeedError(f"{path}: not a state file (invalid JSON: {exc})") from None
    return seed.build_store(contract, data, str(path))


def write_atomically(path: Path, data: bytes) -> None:
    """Replaces `path` with `data` so that readers and crashes see the old or the new content."""
    directory = path.parent
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class BackgroundWriter:
    """Keeps `path` equal to what `render()` gives (None: nothing to write yet), from a thread of its
    own: `changed()` wakes it, changes that arrive while it writes are coalesced into the next
    write, and `close()` writes the last state. Shared by the state file and proxy mode's recording."""

    def __init__(self, path: Path, render: Callable[[], bytes | None], name: str) -> None:
        self.path = path
        self._render = render
        self._name = name
        self._dirty = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def changed(self) -> None:
        self._dirty.set()

    def write(self) -> None:
        data = self._render()
        if data is not None:
            write_atomically(self.path, data)

    def close(self) -> None:
        """Stops the writer and writes the final state."""
        self._stopping = True
        self._dirty.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        try:
            self.write()
        except OSError as exc:
            log.error("cannot write the final %s to %s: %s", self._name, self.path, exc)

    def _run(self) -> None:
        while True:
            self._dirty.wait()
            if self._stopping:
                return
            self._dirty.clear()
            try:
                self.write()
            except OSError as exc:  # keep serving; the next change or the shutdown tries again
                log.error("cannot write the %s %s: %s", self._name, self.path, exc)


class StateFile(BackgroundWriter):
    """Keeps `path` equal to the store's state, from a writer thread of its own."""

    def __init__(self, path: Path, contract: Contract, store: Store) -> None:
        super().__init__(path, self._state, "state file")
        self._contract = contract
        self._store = store

    def start(self) -> None:
        """Writes the current state, then follows every change."""
        self.write()
        self._store.on_change(self.changed)
        super().start()

    def _state(self) -> bytes:
        state = snapshot.export(self._contract, self._store)
        return json.dumps(state, indent=1, ensure_ascii=True).encode("ascii") + b"\n"


def _remove_leftovers(path: Path) -> None:
    """Temporary files of writes that a kill interrupted (never the state file itself)."""
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()
