"""Account-level truth from a finforge dataset (``DatasetGenerator(...).generate()`` as CSV).

finforge (PyPI ``finforge``) writes one row per posting on a customer's account
with the fraud injected into it: ``is_fraud`` and ``fraud_type`` on each posting.
A customer is labelled with every ``fraud_type`` of its fraudulent postings; the
population is every ``user_id`` (the merchants are the other side of a posting,
outside the bank). Whether the customer is the fraudster (mule, refund abuse) or
the victim (card fraud, account takeover) the generator does not say apart: both
are accounts an analyst must see.
"""

from __future__ import annotations

from pathlib import Path

from fraudlink.evaluate.external import ExternalTruth
from fraudlink.evaluate.label_csv import flag, labelled_rows, required_text

GENERATOR = "finforge"
COLUMNS = ("user_id", "is_fraud", "fraud_type")

MATCHES: dict[str, frozenset[str]] = {
    "mule_account": frozenset(
        {"impersonation_scam", "rapid_in_out", "pass_through", "fan_in", "fan_out", "layering"}
    ),
    "refund_abuse": frozenset({"refund_fraud", "refund_abuse"}),
    "account_takeover": frozenset({"account_takeover"}),
    "card_fraud": frozenset({"account_takeover", "counterparty_explosion"}),
    "business_invoice_fraud": frozenset(),
}
"""Which rule typologies look for each finforge fraud type (none looks for invoice fraud)."""


def read_finforge_labels(path: Path) -> ExternalTruth:
    """The customers of ``path`` and the fraud types of each labelled one."""
    population: set[str] = set()
    labels: dict[str, set[str]] = {}
    for line, row in labelled_rows(path, COLUMNS):
        account = required_text(path, line, "user_id", row.get("user_id"))
        population.add(account)
        if flag(path, line, "is_fraud", row.get("is_fraud")):
            kind = required_text(path, line, "fraud_type", row.get("fraud_type"))
            labels.setdefault(account, set()).add(kind)
    return ExternalTruth(
        generator=GENERATOR,
        population=frozenset(population),
        labels={a: frozenset(t) for a, t in labels.items()},
        matches=MATCHES,
    )
