"""The ledger pass: typologies judged over a whole replay's transfer ledger.

The stream engine (:mod:`fraudlink.detect.engine`) sees one event at a time and
keeps short per-key windows; it is what runs live. Laundering patterns need more:
a fan-in spread over a month, a cycle of seven hops over three weeks, a community
that passes money through, an account judged against the whole population and its
own past. The ledger pass reads the complete ledger once into DuckDB
(:mod:`.book`), runs each ledger rule of the pack (declared in
:mod:`fraudlink.detect.rules.ledger_schema`) as SQL over it or as graph analysis
with python-igraph, and turns what they find (:mod:`.finding`) into ordinary
alerts (:mod:`.run`): same format, same deterministic ids, reasons with the
actual numbers.
"""
