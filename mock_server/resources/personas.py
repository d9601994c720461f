"""Personas: AI assistants of a workspace; `name` is unique within it."""

from __future__ import annotations

from ..routing import Call, Handlers, Reply
from ..store import PERSONAS
from . import crud

handlers = Handlers("personas")
ID = "persona_id"


@handlers.operation("listPersonas")
def list_personas(call: Call) -> Reply:
    return crud.list_page(call, PERSONAS)


@handlers.operation("getPersona")
def get_persona(call: Call) -> Reply:
    return crud.get(call, PERSONAS, ID)


@handlers.operation("createPersona")
def create_persona(call: Call) -> Reply:
    return crud.create(call, PERSONAS, "personas.getPersona", ID)


@handlers.operation("updatePersona")
def update_persona(call: Call) -> Reply:
    return crud.replace(call, PERSONAS, ID)


@handlers.operation("deletePersona")
def delete_persona(call: Call) -> Reply:
    return crud.delete(call, PERSONAS, ID)
