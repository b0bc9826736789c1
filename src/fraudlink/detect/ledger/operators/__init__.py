"""The ledger detectors, one module per typology family; importing this registers them.

Each module decorates its functions with :func:`fraudlink.detect.ledger.run.operator`.
"""

from fraudlink.detect.ledger.operators import (
    flow_counterparties,
    flow_dormancy,
    flow_fans,
    flow_pass_through,
    flow_rapid,
    flow_structuring,
    graph_communities,
    graph_cycles,
    graph_fans,
    graph_layers,
    graph_risk,
)

__all__ = [
    "flow_counterparties",
    "flow_dormancy",
    "flow_fans",
    "flow_pass_through",
    "flow_rapid",
    "flow_structuring",
    "graph_communities",
    "graph_cycles",
    "graph_fans",
    "graph_layers",
    "graph_risk",
]
