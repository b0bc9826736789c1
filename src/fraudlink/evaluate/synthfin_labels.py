"""Account-level truth from a synthfin-aml graph (``FraudGraphGenerator.to_csv``).

synthfin-aml (PyPI ``synthfin-aml``) writes ``nodes.csv`` (``agent_id``,
``profile``, ``is_fraud``) and ``transactions.csv`` (``source_id``, ``target_id``,
``is_fraud`` per transfer). Its node label marks the *mules*: a pool of retail
accounts from which each laundering chain (structuring, layering, round trip) draws
its hops, so some labelled mules never carry a laundering transfer in the window.
The typology is not written, so the truth splits the mules by what the transfers
show: ``mule_active`` (sent or received a laundering transfer) and ``mule_idle``
(labelled, but no laundering transfer touches it: no detector can see why).
The population is every agent: retail, merchants, brokers and escrow are all
accounts of the one ledger.
"""

from __future__ import annotations

from pathlib import Path

from fraudlink.evaluate.external import ExternalTruth
from fraudlink.evaluate.label_csv import flag, labelled_rows, required_text

GENERATOR = "synthfin-aml"
NODE_COLUMNS = ("agent_id", "is_fraud")
TRANSFER_COLUMNS = ("source_id", "target_id", "is_fraud")
LAUNDERING_RULES = frozenset(
    {
        "impersonation_scam",
        "fan_in",
        "fan_out",
        "pass_through",
        "structuring",
        "rapid_in_out",
        "cycle",
        "scatter_gather",
        "gather_scatter",
        "layering",
        "community_flow",
        "dormant_burst",
        "counterparty_explosion",
    }
)
"""Rule typologies that look for laundering chains: all but refunds, takeovers and victims."""
MATCHES = {"mule_active": LAUNDERING_RULES, "mule_idle": LAUNDERING_RULES}


def read_synthfin_labels(nodes: Path, transactions: Path) -> ExternalTruth:
    """The agents of ``nodes`` and their mule labels, split by ``transactions``."""
    population: set[str] = set()
    mules: set[str] = set()
    for line, row in labelled_rows(nodes, NODE_COLUMNS):
        agent = required_text(nodes, line, "agent_id", row.get("agent_id"))
        population.add(agent)
        if flag(nodes, line, "is_fraud", row.get("is_fraud")):
            mules.add(agent)
    carried: set[str] = set()
    for line, row in labelled_rows(transactions, TRANSFER_COLUMNS):
        if flag(transactions, line, "is_fraud", row.get("is_fraud")):
            carried.add(required_text(transactions, line, "source_id", row.get("source_id")))
            carried.add(required_text(transactions, line, "target_id", row.get("target_id")))
    labels = {m: frozenset({"mule_active" if m in carried else "mule_idle"}) for m in mules}
    return ExternalTruth(
        generator=GENERATOR, population=frozenset(population), labels=labels, matches=MATCHES
    )
