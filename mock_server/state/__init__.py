"""The mock's state, with no HTTP in it: the store and the rules of each kind, the starting data
(seeds), the state as a seed document (snapshots) and the `--state-file` that keeps it."""
