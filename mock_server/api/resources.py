"""The handlers: what each operation does once the pipeline has routed, authenticated and
checked its request. A handler takes the `Call` and answers a `Reply`.

They are written once per role, not per operation: every kind of the contract lists, creates,
reads, replaces and deletes the same way, and a kind whose paths have a `run` or `token`
action runs or shows its secret. `handlers(contract)` binds one to every operation by its role
in the contract's kinds (`api_spec.Kind`), so a new kind in the spec is served with no Python
change, and an operation without a handler stops the app from being built.
"""

from __future__ import annotations

from collections.abc import Callable

from api_spec import Contract, Kind, Operation

from ..state.kinds import ID
from . import pagination
from .pagination import PAGE, PAGE_SIZE
from .pipeline import Call, Handler, Reply


def list_page(contract: Contract, kind: Kind, op: Operation) -> Handler:
    missing = {PAGE, PAGE_SIZE} - set(op.query_params)
    if missing or not op.paginated:
        raise RuntimeError(f"{op.operation_id}: a list must be paginated with {PAGE} and {PAGE_SIZE}")
    name = kind.name

    def handler(call: Call) -> Reply:
        page, size = call.params[PAGE], call.params[PAGE_SIZE]
        count = call.store.count(call.workspace, name)
        offset = pagination.offset_of(page, size, count)
        count, results = call.store.page(call.workspace, name, offset, size)
        req = call.request
        base_url = pagination.base_url(req.scheme, req.host, req.root_path, req.path)
        return Reply(200, pagination.page_body(base_url, req.args.items(multi=True), page, size, count, results))

    return handler


def get(contract: Contract, kind: Kind, op: Operation) -> Handler:
    name, id_param = kind.name, kind.id_param

    def handler(call: Call) -> Reply:
        return Reply(200, call.store.get(call.workspace, name, call.params[id_param]))

    return handler


def create(contract: Contract, kind: Kind, op: Operation) -> Handler:
    name, id_param, scope = kind.name, kind.id_param, contract.scope_param
    detail = kind.op("get").operation_id  # its endpoint: the URL of the new resource

    def handler(call: Call) -> Reply:
        record = call.store.create(call.workspace, name, call.body())
        location = call.urls.build(detail, {scope: call.workspace, id_param: record[ID]}, force_external=True)
        return Reply(201, record, {"Location": location})

    return handler


def replace(contract: Contract, kind: Kind, op: Operation) -> Handler:
    name, id_param = kind.name, kind.id_param

    def handler(call: Call) -> Reply:
        rid = call.params[id_param]
        call.store.get(call.workspace, name, rid)  # 404 comes before any body error, as in DRF
        return Reply(200, call.store.replace(call.workspace, name, rid, call.body()))

    return handler


def delete(contract: Contract, kind: Kind, op: Operation) -> Handler:
    name, id_param = kind.name, kind.id_param

    def handler(call: Call) -> Reply:
        call.store.delete(call.workspace, name, call.params[id_param])
        return Reply(204)

    return handler


def run(contract: Contract, kind: Kind, op: Operation) -> Handler:
    name, id_param = kind.name, kind.id_param

    def handler(call: Call) -> Reply:
        return Reply(200, call.store.run(call.workspace, name, call.params[id_param]))

    return handler


def token(contract: Contract, kind: Kind, op: Operation) -> Handler:
    if op.result_fields is None or len(op.result_fields) != 1:
        raise RuntimeError(f"{op.operation_id}: a token is answered as an object of one field")
    name, id_param, (field,) = kind.name, kind.id_param, op.result_fields

    def handler(call: Call) -> Reply:
        return Reply(200, {field: call.store.secret(call.workspace, name, call.params[id_param])})

    return handler


ROLES: dict[str, Callable[[Contract, Kind, Operation], Handler]] = {
    "list": list_page,
    "create": create,
    "get": get,
    "update": replace,
    "delete": delete,
    "run": run,
    "token": token,
}


def handlers(contract: Contract) -> dict[str, Handler]:
    """A handler for every operation of the contract, by operationId."""
    bound = {
        op.operation_id: ROLES[role](contract, kind, op)
        for kind in contract.kinds.values()
        for role, op in kind.operations.items()
        if role in ROLES
    }
    missing = set(contract.operations) - set(bound)
    if missing:
        raise RuntimeError(f"operations in the spec without a handler: {sorted(missing)}")
    return bound
