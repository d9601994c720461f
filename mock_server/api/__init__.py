"""The HTTP API of the contract: one pipeline every request to it goes through (`pipeline`), its
steps (routing, authentication, validation, the handlers in `resources`), and what they share:
the contract compiled for serving, errors, pagination, CORS."""
