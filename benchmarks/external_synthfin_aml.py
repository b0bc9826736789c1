"""Detection quality on synthfin-aml's laundering graphs (PyPI ``synthfin-aml``).

Generates one bank's transfer graph with mule chains (structuring, layering
through three mules into a broker, round trips) at a fixed seed, ingests it with
``examples/mappings/synthfin-aml-transactions.yaml``, runs ``fraudlink detect`` and
scores the alerts against the generator's mule labels at account level.

    python benchmarks/external_synthfin_aml.py --python /path/to/venv/bin/python
    python benchmarks/external_synthfin_aml.py --data DIR   # DIR/{nodes,transactions}.csv

The generator runs in the interpreter given by ``--python`` (a scratch venv with
``pip install synthfin-aml==9.2.0``). Its package ``__init__`` imports torch for a
dataset wrapper, so the generator module is loaded from its file. It keeps
amounts as float dollars; they are written to the cent, as a bank's ledger holds
them (ingest refuses sub-cent amounts rather than rounding them).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from external_pipeline import MAPPINGS, common_options, generate, run
from fraudlink.evaluate.synthfin_labels import read_synthfin_labels

GENERATE = """
import importlib, sys, sysconfig, types
out, seed, agents, days = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ratio = float(sys.argv[5])
package = types.ModuleType("synthfin_aml_pkg")  # stands in for the __init__ that imports torch
package.__path__ = [sysconfig.get_paths()["purelib"] + "/synthfin_aml_pkg"]
sys.modules["synthfin_aml_pkg"] = package
module = importlib.import_module("synthfin_aml_pkg.generator")
gen = module.FraudGraphGenerator(seed=seed).generate_transactions(
    agents=agents, days=days, start_date="2024-01-01", fraud_ratio=ratio)
nodes, transactions = gen.to_dataframes()
nodes.to_csv(out + "/nodes.csv", index=False)
transactions.to_csv(out + "/transactions.csv", index=False, float_format="%.2f")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common_options(parser, str(Path(tempfile.gettempdir()) / "fraudlink-external" / "synthfin"))
    parser.add_argument("--agents", type=int, default=20_000, help="accounts (default: 20000)")
    parser.add_argument("--days", type=int, default=30, help="days simulated (default: 30)")
    parser.add_argument(
        "--fraud-ratio", type=float, default=0.02, help="synthfin's fraud ratio (default: 0.02)"
    )
    args = parser.parse_args()
    size = f"{args.agents:,} accounts, {args.days} days, fraud ratio {args.fraud_ratio}"
    if args.data is None:
        generate(
            args.python,
            GENERATE,
            [str(args.seed), str(args.agents), str(args.days), str(args.fraud_ratio)],
            args.workdir / "data",
        )
        size += f", seed {args.seed}"
    run(
        args,
        truth_of=lambda data: read_synthfin_labels(data / "nodes.csv", data / "transactions.csv"),
        sources_of=lambda data: [data / "transactions.csv"],
        mapping=MAPPINGS / "synthfin-aml-transactions.yaml",
        size=size,
    )


if __name__ == "__main__":
    main()
