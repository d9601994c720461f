"""The state shares no mutable part with the documents it was built from."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from api_spec import WORKFLOWS
from mock_server.state import jsonvalue
from mock_server.state.store import Store

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


def containers(value: object) -> list[object]:
    found = [value] if isinstance(value, (dict, list)) else []
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return found + [c for child in children for c in containers(child)]


@given(JSON)
def test_a_copy_is_equal_and_shares_no_container(value: object) -> None:
    copied = jsonvalue.copy(value)
    assert copied == value
    assert not {id(c) for c in containers(copied)} & {id(c) for c in containers(value)}


def test_the_store_keeps_its_own_copy_of_what_it_is_given() -> None:
    store = Store()
    store.add_workspace("demo")
    sent = {"name": "wf", "trigger": {"type": "schedule", "cron": "0 * * * *"}, "actions": [{"type": "x"}]}
    created = store.create("demo", WORKFLOWS, sent)
    sent["trigger"]["cron"] = "changed"
    sent["actions"].append({"type": "y"})
    kept = store.get("demo", WORKFLOWS, created["id"])
    assert kept["trigger"]["cron"] == "0 * * * *" and kept["actions"] == [{"type": "x"}]
