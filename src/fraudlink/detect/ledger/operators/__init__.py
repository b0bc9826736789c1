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
)

__all__ = [
    "flow_counterparties",
    "flow_dormancy",
    "flow_fans",
    "flow_pass_through",
    "flow_rapid",
    "flow_structuring",
]
