"""How many accounts an analyst can review: a share of the accounts or a count.

``5%`` means five percent of the ranked accounts (rounded up, at least one when there
are any); ``200`` means two hundred. A budget is what a review team has, so it is
stated by them, never derived from the data.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
_COUNT = re.compile(r"^\s*(\d+)\s*$")


class BudgetError(ValueError):
    """A budget that is neither ``N%`` (0 < N ≤ 100) nor a positive whole number."""


@dataclass(frozen=True)
class Budget:
    """A review budget: ``percent`` of the accounts, or ``count`` accounts."""

    percent: float | None = None
    count: int | None = None

    def of(self, accounts: int) -> int:
        """The number of accounts to review out of ``accounts``.

        >>> Budget(percent=5).of(1000), Budget(percent=5).of(10), Budget(count=200).of(50)
        (50, 1, 50)
        """
        if accounts <= 0:
            return 0
        if self.count is not None:
            return min(self.count, accounts)
        assert self.percent is not None
        # A tiny epsilon keeps 5 % of 1,000 at 50 despite binary fractions.
        return max(1, min(accounts, math.ceil(self.percent * accounts / 100 - 1e-9)))

    def label(self) -> str:
        return f"{self.percent:g}%" if self.percent is not None else f"{self.count}"


def parse_budget(text: str) -> Budget:
    """``"5%"`` → five percent, ``"200"`` → two hundred accounts.

    >>> parse_budget("2.5%"), parse_budget(" 200 ")
    (Budget(percent=2.5, count=None), Budget(percent=None, count=200))
    """
    if m := _PERCENT.match(text):
        percent = float(m.group(1))
        if not 0 < percent <= 100:
            raise BudgetError(f"budget {text!r}: a percentage must be above 0 and at most 100")
        return Budget(percent=percent)
    if m := _COUNT.match(text):
        count = int(m.group(1))
        if count <= 0:
            raise BudgetError(f"budget {text!r}: a count of accounts must be at least 1")
        return Budget(count=count)
    raise BudgetError(
        f"budget {text!r}: expected a percentage of accounts such as 5% or a count such as 200"
    )
