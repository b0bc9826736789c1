"""The ``bank`` profile: a bank's transfer ledger only (no IPs, devices or cities).

Ordinary customers with salary, bills, card payments, person-to-person transfers
and cash, every ledger typology planted at randomly drawn time scales and amounts,
and honest look-alikes of each, with the labels in ``truth.json``.
"""
