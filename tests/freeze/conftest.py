"""The exchange tests' two nodes and clock."""

from tests.exchange.conftest import clock, nodes

__all__ = ["clock", "nodes"]
