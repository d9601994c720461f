"""The resource kinds whose behaviour the toolkit is written for, named once.

Everything else about them (paths, ids, operations, fields, limits) is read from the contract;
`tests/test_api_spec.py` checks that the spec has exactly these kinds.
"""

PERSONAS = "personas"
WORKFLOWS = "workflows"
KINDS = (PERSONAS, WORKFLOWS)
