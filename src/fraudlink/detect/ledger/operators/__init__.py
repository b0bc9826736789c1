"""The ledger detectors, one module per typology family; importing this registers them.

Each module decorates its functions with :func:`fraudlink.detect.ledger.run.operator`.
"""
