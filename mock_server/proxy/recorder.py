"""`--record FILE`: what the upstream returned, kept as seed data for working offline
(`python -m mock_server --seed FILE` serves it).

Per workspace, kind and id, the latest version of each record the upstream showed in a
successful answer: a detail, a create or an update replaces it, a list item updates the fields a
list shows (a persona seen only in a list keeps only those), a delete (or a `404` on its detail)
removes it. A workspace that answered anything successfully is kept, even empty, so the replay
knows it. Runs are not recorded (the next read of the workflow brings its `lastRunAt`). Webhook
tokens are secrets: kept only with `--record-secrets`, as the seed format's `webhookToken`.

The file is rewritten after changes (a writer thread, changes coalesced) and on shutdown, through
the state file's atomic writer: a kill leaves the old or the new recording, never half of one.
Before each write the whole document is loaded as a seed would be (`seed.build_store`); a record
that does not validate (a broken answer, a name taken twice after a rename elsewhere) is left out
with a warning naming it, and the rest is written. An existing recording is loaded at start and
continued, so days of work add up in one file.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

from api_spec import Contract, Operation

from ..state import persistence, seed
from ..state.kinds import ID, RULES
from .upstream import Answer

log = logging.getLogger(__name__)

Record = dict[str, Any]


class Recorder:
    def __init__(self, contract: Contract, path: Path, secrets: bool = False) -> None:
        self.path = path
        self.secrets = secrets
        self._contract = contract
        self._fields = seed.field_order(contract)
        self._lock = threading.Lock()
        self._workspaces: dict[str, dict[str, dict[int, Record]]] = {}  # workspace -> kind -> id -> record
        self._secrets: dict[tuple[str, str, int], str] = {}
        self._writer = persistence.BackgroundWriter(path, self._render, "recording")

    def load(self) -> None:
        """Continues the recording in `path` if there is one; SeedError if it is not a recording."""
        if not self.path.exists() or not self.path.read_text(encoding="utf-8").strip():
            return
        data = seed.read(self.path)
        seed.build_store(self._contract, data, str(self.path))  # valid seed data, or SeedError
        for name, content in data["workspaces"].items():
            kinds = self._workspaces.setdefault(name, {})
            for kind in self._contract.kinds:
                for i, record in enumerate((content or {}).get(kind) or []):
                    if ID not in record:
                        raise seed.SeedError(
                            f"{self.path}: workspaces.{name}.{kind}[{i}]: not a recording (a record without id)"
                        )
                    secret_field = RULES[kind].secret
                    secret = record.pop(secret_field, None) if secret_field else None
                    kinds.setdefault(kind, {})[record[ID]] = record
                    if secret is not None and self.secrets:
                        self._secrets[(name, kind, record[ID])] = secret

    def start(self) -> None:
        self._writer.start()

    def close(self) -> None:
        """Writes the final recording."""
        self._writer.close()

    def observe(self, operation: Operation, workspace: str, params: dict[str, Any], answer: Answer) -> None:
        """One exchange the upstream answered: what it changes in the recording, if anything."""
        kind, role, status = operation.kind, operation.role, answer.status
        if kind not in self._contract.kinds or role is None or answer.body is None:
            return
        gone = (role == "delete" and status == 204) or (role == "get" and status == 404)
        if not (200 <= status < 300 or gone):
            return
        is_json, document = answer.json() if not gone else (False, None)
        rid = params.get(operation.id_param) if operation.id_param else None
        with self._lock:
            changed = False
            if 200 <= status < 300 and workspace not in self._workspaces:
                self._workspaces[workspace] = {}
                changed = True
            records = self._workspaces.get(workspace, {}).setdefault(kind, {})
            if gone and isinstance(rid, int):
                changed |= records.pop(rid, None) is not None
                self._secrets.pop((workspace, kind, rid), None)
            elif role == "list" and is_json and isinstance(document, dict):
                for item in document.get("results") or []:
                    if _has_id(item):
                        records[item[ID]] = {**records.get(item[ID], {}), **item}
                        changed = True
            elif role in ("get", "create", "update") and is_json and _has_id(document):
                records[document[ID]] = document
                changed = True
            elif role == "token" and self.secrets and is_json and isinstance(rid, int) and RULES[kind].secret:
                fields = operation.result_fields or ()
                value = document.get(fields[0]) if fields and isinstance(document, dict) else None
                if isinstance(value, str) and self._secrets.get((workspace, kind, rid)) != value:
                    self._secrets[(workspace, kind, rid)] = value
                    changed = True
        if changed:
            self._writer.changed()

    def document(self) -> dict[str, Any] | None:
        """The recording as a seed document, every record valid (None: nothing recorded yet)."""
        with self._lock:  # records are replaced, never changed in place: references suffice
            recorded = {
                name: {kind: sorted(records.items()) for kind, records in kinds.items()}
                for name, kinds in self._workspaces.items()
            }
            secrets = dict(self._secrets)
        if not recorded:
            return None
        originals: dict[tuple[str, str, int], tuple[int, Record]] = {}
        workspaces: dict[str, dict[str, list[Record]]] = {}
        for name, kinds in recorded.items():
            content = workspaces.setdefault(name, {})
            for kind, records in kinds.items():
                if not records:
                    continue
                rows = content.setdefault(kind, [])
                for rid, record in records:
                    originals[(name, kind, len(rows))] = (rid, record)
                    rows.append(self._as_seed(name, kind, record, secrets))
        data = {"version": seed.FORMAT_VERSION, "workspaces": workspaces}
        while True:
            try:
                seed.build_store(self._contract, data, "recording")
            except seed.SeedError as exc:
                if exc.record is None:
                    raise
                name, kind, index = exc.record
                rid, record = originals[exc.record]
                log.warning("recording: left out workspaces.%s.%s id %s: %s", name, kind, rid, _problem(exc))
                self._forget(name, kind, rid, record)
                del data["workspaces"][name][kind][index]
                for i in range(index, len(data["workspaces"][name][kind])):
                    originals[(name, kind, i)] = originals[(name, kind, i + 1)]
                continue
            for content in workspaces.values():  # a kind whose every record was left out: as if none was seen
                for kind in [k for k, rows in content.items() if not rows]:
                    del content[kind]
            return data

    def _as_seed(self, workspace: str, kind: str, record: Record, secrets: dict[tuple[str, str, int], str]) -> Record:
        """The record in the order its detail shows, with its secret when one was recorded."""
        out = {k: record[k] for k in self._fields[kind] if k in record}
        secret_field = RULES[kind].secret
        secret = secrets.get((workspace, kind, record.get(ID))) if secret_field and self.secrets else None
        if secret is not None and secret_field is not None:
            out[secret_field] = secret
        return out

    def _forget(self, workspace: str, kind: str, rid: int, record: Record) -> None:
        """Drops a record that did not validate, unless a newer version has arrived meanwhile."""
        with self._lock:
            records = self._workspaces.get(workspace, {}).get(kind, {})
            if records.get(rid) is record:
                del records[rid]

    def _render(self) -> bytes | None:
        try:
            data = self.document()
        except seed.SeedError as exc:  # not about one record: nothing to leave out, nothing written
            log.error("recording not written: %s", exc)
            return None
        if data is None:
            return None
        return json.dumps(data, indent=1, ensure_ascii=True).encode("ascii") + b"\n"


def _has_id(record: Any) -> bool:
    return isinstance(record, dict) and isinstance(record.get(ID), int) and not isinstance(record.get(ID), bool)


def _problem(exc: seed.SeedError) -> str:
    """The problem of a SeedError without its place (`recording: workspaces.demo.personas[2]: `)."""
    _, _, index = exc.record or ("", "", 0)
    return str(exc).split(f"[{index}]: ", 1)[-1]
