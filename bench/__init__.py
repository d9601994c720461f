"""Benchmarks of the mock and the contract suite against the tools users would pick instead."""
