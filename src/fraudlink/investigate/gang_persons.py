"""The persons of a gang graph: their accounts, their gang behaviour, what they share.

Column lookups are turned into Python lists once, so the per-gang code that reads a
few dozen persons at a time does not go back to Arrow for every value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fraudlink.investigate.gang_graph import GangGraph
from fraudlink.investigate.gang_result import GangAccount


class PersonBook:
    def __init__(self, graph: GangGraph) -> None:
        accounts = graph.candidates.accounts
        self.col: dict[str, list[Any]] = {
            name: accounts.column(name).to_pylist() for name in accounts.column_names
        }
        self.n = graph.n_persons
        self.accounts_of: list[list[int]] = [[] for _ in range(self.n)]
        for code, person in enumerate(graph.person.tolist()):
            self.accounts_of[person].append(code)
        self.things_of: list[list[str]] = [[] for _ in range(self.n)]
        for v in range(self.n, graph.graph.vcount()):
            for p in graph.graph.neighbors(v):
                self.things_of[p].append(graph.things[v - self.n])
        self.seed = np.zeros(self.n, dtype=np.bool_)
        np.logical_or.at(self.seed, graph.person, np.asarray(self.col["seed"], dtype=np.bool_))

    def label(self, person: int) -> str:
        """The person's first wallet or platform account (a bank card if nothing else).

        Written ``org:account``: unique in a report and the same in every run.
        """
        mine = self.accounts_of[person]
        code = next((c for c in mine if not self.col["external"][c]), mine[0])
        return f"{self.col['org'][code]}:{self.col['account'][code]}"

    def name(self, person: int) -> str | None:
        names = [self.col["name"][c] for c in self.accounts_of[person]]
        return next((n for n in names if n), None)

    def total(self, person: int, column: str) -> int:
        return int(sum(self.col[column][c] or 0 for c in self.accounts_of[person]))

    def most(self, person: int, column: str) -> int:
        return int(max((self.col[column][c] or 0 for c in self.accounts_of[person]), default=0))

    def any(self, person: int, column: str) -> bool:
        return any(self.col[column][c] for c in self.accounts_of[person])

    def all_external(self, person: int) -> bool:
        return all(self.col["external"][c] for c in self.accounts_of[person])

    def devices(self, person: int) -> list[str]:
        return sorted(
            t.removeprefix("device ") for t in self.things_of[person] if t[:7] == "device "
        )

    def refs(self, person: int) -> list[GangAccount]:
        c = self.col
        return [
            GangAccount(
                org=c["org"][k], account=c["account"][k], kind=c["kind"][k], city=c["city"][k]
            )
            for k in self.accounts_of[person]
        ]
