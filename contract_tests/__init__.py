"""A Schemathesis + Hypothesis contract suite for any implementation of the Workflows & Personas API."""

__version__ = "0.1.0"
