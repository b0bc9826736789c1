"""Detection quality on finforge's synthetic customer ledgers (PyPI ``finforge``).

Generates a mixed-persona population with injected fraud (card fraud, account
takeover, mule accounts, refund abuse, business invoice fraud) at a fixed seed,
ingests it with ``examples/mappings/finforge-statements.yaml``, runs
``fraudlink detect`` and scores the alerts per fraud type at account level.

    python benchmarks/external_finforge.py --python /path/to/venv/bin/python
    python benchmarks/external_finforge.py --data DIR   # DIR/finforge.csv already made

The generator runs in the interpreter given by ``--python`` (a scratch venv with
``pip install finforge==3.0.0``), so fraudlink's own environment needs none of it.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from external_pipeline import MAPPINGS, common_options, generate, run
from fraudlink.evaluate.finforge_labels import read_finforge_labels

FILE = "finforge.csv"
GENERATE = """
import sys
from finforge import DatasetGenerator
out, seed, users, months = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rate = float(sys.argv[5])
df = (DatasetGenerator(seed=seed).with_users(users).with_persona("mixed")
      .for_months(months).with_fraud(rate=rate).generate())
df.to_csv(out + "/finforge.csv", index=False)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common_options(parser, str(Path(tempfile.gettempdir()) / "fraudlink-external" / "finforge"))
    parser.add_argument("--users", type=int, default=1000, help="customers (default: 1000)")
    parser.add_argument("--months", type=int, default=12, help="months simulated (default: 12)")
    parser.add_argument(
        "--fraud-rate",
        type=float,
        default=0.002,
        help="share of postings that are fraud (default: 0.002)",
    )
    args = parser.parse_args()
    size = f"{args.users:,} customers, {args.months} months, fraud rate {args.fraud_rate}"
    if args.data is None:
        generate(
            args.python,
            GENERATE,
            [str(args.seed), str(args.users), str(args.months), str(args.fraud_rate)],
            args.workdir / "data",
        )
        size += f", seed {args.seed}"
    run(
        args,
        truth_of=lambda data: read_finforge_labels(data / FILE),
        sources_of=lambda data: [data / FILE],
        mapping=MAPPINGS / "finforge-statements.yaml",
        size=size,
    )


if __name__ == "__main__":
    main()
