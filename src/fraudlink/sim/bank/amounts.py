"""Amounts in the profile's currency, drawn in US-dollar equivalents.

Typologies are specified in dollars (a mule passes on $50–$50,000) so that one
world reads the same in any currency: each draw is converted by a fixed rate and
rounded to the currency's minor unit (JPY has none).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fraudlink.detect.rules.ledger_schema import StructuringSpec
from fraudlink.model.money import minor_exponent

# Units of each currency per US dollar: round figures, so amounts look like the currency's.
PER_USD: dict[str, float] = {"USD": 1.0, "EUR": 0.92, "GBP": 0.8, "JPY": 150.0, "CNY": 7.2}

Minor = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Amounts:
    currency: str

    def __post_init__(self) -> None:
        if self.currency not in PER_USD:
            raise ValueError(
                f"unknown currency {self.currency!r}; choose one of {', '.join(PER_USD)}"
            )

    @property
    def minor_per_usd(self) -> float:
        return float(PER_USD[self.currency] * 10 ** minor_exponent(self.currency))

    def usd(self, dollars: npt.ArrayLike, whole: bool = False) -> Minor:
        """Dollar equivalents as minor units; ``whole`` rounds to whole major units."""
        minor = np.asarray(dollars, dtype=np.float64) * self.minor_per_usd
        if whole:
            unit = 10 ** minor_exponent(self.currency)
            whole_units: Minor = np.maximum(unit, np.round(minor / unit) * unit).astype(np.int64)
            return whole_units
        out: Minor = np.maximum(1, np.round(minor)).astype(np.int64)
        return out

    def one(self, dollars: float, whole: bool = False) -> int:
        return int(self.usd([dollars], whole)[0])

    def log_uniform(
        self, rng: np.random.Generator, lo: float, hi: float, n: int | None = None
    ) -> Minor:
        """``n`` amounts log-uniform between ``lo`` and ``hi`` dollars."""
        return self.usd(np.exp(rng.uniform(np.log(lo), np.log(hi), 1 if n is None else n)))

    @property
    def threshold(self) -> int:
        """The reporting threshold structuring stays under, as the structuring rule has it."""
        known = StructuringSpec().thresholds
        if self.currency in known:
            return known[self.currency]
        return self.one(10_000)
