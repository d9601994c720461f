"""Many clients at once against one server: creates, updates, deletes and lists over HTTP.

Each thread owns the records it creates (only it updates or deletes them), and all threads
also fight over a few persona names and one shared workflow. Afterwards the stored data must
be exactly what the answers said: no lost or duplicated ids, counts that add up, unique names.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from mock_server.app import create_app
from mock_server.server import Server

from .conftest import API, SPEC, TOKEN, LiveMock
from .test_operations import persona_body, workflow_body

THREADS = 16
OPS_PER_THREAD = 50
RACE_EVERY = 10  # every 10th step, all threads wait for each other, then try to take one name
RENAME_TARGETS = [f"renamed-{k}" for k in range(3)]
WF = f"{API}/demo/workflows/"
PE = f"{API}/demo/personas/"
SHARED_WORKFLOW = 1
KINDS = {"workflows": WF, "personas": PE}


@dataclass
class Client:
    """One thread's view: what it created and deleted, the last answer for each of its records."""

    number: int
    session: requests.Session = field(default_factory=requests.Session)
    created: dict[str, list[int]] = field(default_factory=lambda: {"workflows": [], "personas": []})
    deleted: dict[str, list[int]] = field(default_factory=lambda: {"workflows": [], "personas": []})
    latest: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    contested_tries: set[str] = field(default_factory=set)
    contested_wins: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def call(self, base: str, method: str, path: str, expected: set[int], **kwargs: Any) -> requests.Response:
        r = self.session.request(
            method, base + path, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30, **kwargs
        )
        self.statuses[r.status_code] += 1
        if r.status_code not in expected:
            self.problems.append(f"{method} {path} -> {r.status_code} (expected {sorted(expected)}): {r.text[:200]}")
        elif r.status_code != 204 and r.headers.get("Content-Type") != "application/json":
            self.problems.append(f"{method} {path} -> {r.status_code} without a JSON body")
        return r

    def own(self, kind: str) -> list[int]:
        gone = set(self.deleted[kind])
        return [rid for rid in self.created[kind] if rid not in gone and (kind, rid) in self.latest]


def work(client: Client, base: str, start: threading.Barrier) -> None:
    rnd = random.Random(client.number)
    n = client.number
    start.wait()
    for i in range(OPS_PER_THREAD):
        if i % RACE_EVERY == 0:
            start.wait()
            op = "contest"
        else:
            op = rnd.choice(
                ["create_wf", "create_pe", "create_pe", "update", "update", "delete", "list", "rename", "shared"]
            )
        kind = rnd.choice(list(KINDS))
        path = KINDS[kind]
        if op == "create_wf" or (op in ("update", "delete") and not client.own(kind) and kind == "workflows"):
            r = client.call(base, "POST", WF, {201}, json=workflow_body(name=f"wf {n}-{i}"))
            if r.status_code == 201:
                client.created["workflows"].append(r.json()["id"])
                client.latest[("workflows", r.json()["id"])] = r.json()
        elif op == "create_pe" or (op in ("update", "delete", "rename") and not client.own("personas")):
            r = client.call(base, "POST", PE, {201}, json=persona_body(name=f"p-{n}-{i}"))
            if r.status_code == 201:
                client.created["personas"].append(r.json()["id"])
                client.latest[("personas", r.json()["id"])] = r.json()
        elif op == "update":
            rid = rnd.choice(client.own(kind))
            old = client.latest[(kind, rid)]
            body = workflow_body(name=f"wf {n}-{i}") if kind == "workflows" else persona_body(name=old["name"])
            body["description"] = f"updated by {n} at {i}"
            r = client.call(base, "PUT", f"{path}{rid}", {200}, json=body)
            if r.status_code == 200:
                if r.json()["updatedAt"] <= old["updatedAt"]:
                    client.problems.append(f"updatedAt did not move forward on {kind} {rid}")
                client.latest[(kind, rid)] = r.json()
        elif op == "delete":
            rid = rnd.choice(client.own(kind))
            if client.call(base, "DELETE", f"{path}{rid}", {204}).status_code == 204:
                client.deleted[kind].append(rid)
                client.call(base, "GET", f"{path}{rid}", {404})
        elif op == "list":
            r = client.call(base, "GET", f"{path}?page_size=100&page=1", {200})
            ids = [item["id"] for item in r.json()["results"]] if r.status_code == 200 else []
            if ids != sorted(set(ids)):
                client.problems.append(f"list of {kind} not strictly ordered by id: {ids}")
        elif op == "contest":  # everyone at once tries to take the same name; exactly one may
            name = f"race-{i}"
            client.contested_tries.add(name)
            r = client.call(base, "POST", PE, {201, 400}, json=persona_body(name=name))
            if r.status_code == 201:
                client.contested_wins.append(name)
                client.created["personas"].append(r.json()["id"])
            elif r.status_code == 400 and r.json() != {"name": ["persona with this name already exists."]}:
                client.problems.append(f"contested create refused oddly: {r.text[:200]}")
        elif op == "rename":  # own personas race for a few names, and give them up again
            rid = rnd.choice(client.own("personas"))
            name = rnd.choice([*RENAME_TARGETS, f"p-{n}-{i}"])
            r = client.call(base, "PUT", f"{PE}{rid}", {200, 400}, json=persona_body(name=name))
            if r.status_code == 200:
                client.latest[("personas", rid)] = r.json()
        else:  # one workflow that every thread replaces, runs and reads
            body = workflow_body(name=f"shared {n}-{i}", description=f"shared {n}-{i}")
            client.call(base, "PUT", f"{WF}{SHARED_WORKFLOW}", {200}, json=body)
            client.call(base, "POST", f"{WF}{SHARED_WORKFLOW}/run", {200})
            client.call(base, "GET", f"{WF}{SHARED_WORKFLOW}/token", {200})
    client.session.close()


def everything(mock: LiveMock, kind: str) -> list[dict[str, Any]]:
    page = mock.get(f"{KINDS[kind]}?page_size=100").json()
    items = page["results"]
    while page["next"]:
        page = mock.session.get(page["next"], headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).json()
        items += page["results"]
    assert len(items) == page["count"] == mock.get(KINDS[kind]).json()["count"]
    return items


def test_concurrent_clients_leave_consistent_data(mock: LiveMock) -> None:
    before = {kind: [item["id"] for item in everything(mock, kind)] for kind in KINDS}
    token_before = mock.get(f"{WF}{SHARED_WORKFLOW}/token").json()["token"]
    clients = [Client(n) for n in range(THREADS)]
    start = threading.Barrier(THREADS)
    threads = [threading.Thread(target=work, args=(c, mock.url, start)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a client thread hung"

    problems = [p for c in clients for p in c.problems]
    assert not problems, "\n".join(problems[:20])
    statuses = sum((c.statuses for c in clients), Counter())
    assert not [s for s in statuses if s >= 500], statuses
    assert statuses[201] > THREADS and statuses[204] > 0 and statuses[200] > THREADS, statuses

    for kind in KINDS:
        created = [rid for c in clients for rid in c.created[kind]]
        deleted = [rid for c in clients for rid in c.deleted[kind]]
        assert len(created) == len(set(created)), f"duplicated {kind} ids"
        assert min(created) > max(before[kind]), f"a {kind} id was reused"
        for c in clients:
            assert c.created[kind] == sorted(c.created[kind]), f"{kind} ids of one client not increasing"
        stored = everything(mock, kind)
        stored_ids = [item["id"] for item in stored]
        assert stored_ids == sorted(set(stored_ids))
        assert set(stored_ids) == (set(before[kind]) | set(created)) - set(deleted), f"lost or ghost {kind}"
        assert len(stored_ids) == len(before[kind]) + len(created) - len(deleted)
        for c in clients:  # what each owner last heard is what is stored: no lost update
            for rid in c.own(kind):
                assert mock.get(f"{KINDS[kind]}{rid}").json() == c.latest[(kind, rid)]

    names = [p["name"] for p in everything(mock, "personas")]
    assert len(names) == len(set(names)), Counter(names).most_common(3)
    wins = Counter(name for c in clients for name in c.contested_wins)
    tried = set().union(*(c.contested_tries for c in clients))
    assert len(tried) == OPS_PER_THREAD // RACE_EVERY
    assert wins == dict.fromkeys(tried, 1), f"each contested name must be won exactly once: {wins}"
    assert tried <= set(names)

    shared = mock.get(f"{WF}{SHARED_WORKFLOW}").json()
    assert shared["name"] == shared["description"], "a replacement was torn between two writers"
    assert mock.get(f"{WF}{SHARED_WORKFLOW}/token").json()["token"] == token_before


@pytest.mark.parametrize("kind", ["granian", "waitress"])
def test_a_delayed_request_does_not_stall_the_others(kind: str) -> None:
    """`Prefer: delay=2000` holds one of the server's threads for 2 s; every other client is
    answered meanwhile, at full speed (the same holds for `--latency`, the same sleep)."""
    app = create_app(contract=SPEC, tokens=(TOKEN,))
    server = Server(app, "127.0.0.1", 0, threads=4, access_log=False, kind=kind)
    server.start_background()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    try:
        delayed: dict[str, Any] = {}

        def wait() -> None:
            started = time.monotonic()
            r = requests.get(f"{server.url}{WF}1", headers={**auth, "Prefer": "delay=2000"}, timeout=10)
            delayed.update(status=r.status_code, seconds=time.monotonic() - started)

        waiting = threading.Thread(target=wait)
        waiting.start()
        time.sleep(0.2)  # the delayed request is in the app, asleep
        with requests.Session() as session:
            started = time.monotonic()
            statuses = [
                session.get(f"{server.url}{WF}{i % 3 + 1}", headers=auth, timeout=5).status_code for i in range(100)
            ]
            others = time.monotonic() - started
        assert waiting.is_alive(), f"the delayed request was answered early: {delayed}"
        assert statuses == [200] * 100 and others < 1.0, others
        waiting.join(timeout=10)
        assert delayed["status"] == 200 and 2.0 <= delayed["seconds"] < 3.0, delayed
    finally:
        server.stop()
