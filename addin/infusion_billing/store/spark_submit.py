"""The portfolio report under ``spark-submit``: the store on a cluster's storage, the SQL on its executors.

::

    spark-submit --master spark://head:7077 --packages org.apache.hadoop:hadoop-aws:3.3.4 \\
        "$(python -c 'import infusion_billing.store.spark_submit as m; print(m.__file__)')" \\
        --store s3a://billing-store/portfolio -o portfolio.xlsx [--months 2026-10 ...]

The Spark session is the one ``spark-submit`` configured (master, object-storage credentials); the
views, the KPI SQL and the portfolio SQL are exactly those of ``infusion-billing portfolio``. Only the
driver needs infusion-billing installed: the SQL is plain Spark SQL, with no Python functions sent to
the executors. The workbook is written on the driver.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .engines import SparkEngine
from .portfolio import build, clinics, summary, write_portfolio


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="spark-submit ... spark_submit.py", description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="the store: s3a://bucket/path, hdfs://..., or a folder")
    parser.add_argument("-o", "--output", required=True, help="the portfolio workbook to write on the driver")
    parser.add_argument("--months", nargs="+", metavar="YYYY-MM", help="only these months of service")
    parser.add_argument("--force", action="store_true", help="replace an output the tool did not write")
    args = parser.parse_args(argv)
    engine = SparkEngine(args.store, master=None)
    try:
        portfolio = build(engine, clinics(engine), tuple(args.months or ()))
    finally:
        engine.close()
    path = write_portfolio(portfolio, Path(args.output), engine=engine.name, store=args.store, force=args.force)
    print(f"Portfolio on Spark: {summary(portfolio)}; written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
