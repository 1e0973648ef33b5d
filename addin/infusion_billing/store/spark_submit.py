"""The portfolio report under ``spark-submit``: the store on a cluster's storage, the SQL on its executors.

::

    spark-submit --master spark://head:7077 --packages org.apache.hadoop:hadoop-aws:3.3.4 \\
        "$(python -c 'import infusion_billing.store.spark_submit as m; print(m.__file__)')" \\
        --store s3a://billing-store/portfolio -o portfolio.xlsx [--months 2026-10 ...]

The Spark session is the one ``spark-submit`` configured (master, object-storage credentials); the
views, the KPI SQL and the portfolio SQL are exactly those of ``infusion-billing portfolio``. Only the
driver needs infusion-billing installed: the SQL is plain Spark SQL, with no Python functions sent to
the executors. The workbook is written on the driver.

``spark-submit`` runs this file as a script, not as a module of the package, so it imports the package
by its full name (``infusion_billing`` must be installed where the driver runs), never relatively.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

if __name__ == "__main__":  # run as a script: its own folder (tables.py, layout.py ...) must not shadow any module
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from infusion_billing.store.engines import SparkEngine
from infusion_billing.store.portfolio import report
from infusion_billing.workbook.reader import WorkbookError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="spark-submit ... spark_submit.py", description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="the store: s3a://bucket/path, hdfs://..., or a folder")
    parser.add_argument("-o", "--output", required=True, help="the portfolio workbook to write on the driver")
    parser.add_argument("--months", nargs="+", metavar="YYYY-MM", help="only these months of service")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing file that is not an earlier portfolio (a backup copy is kept)")
    args = parser.parse_args(argv)
    try:
        lines = report(args.store, Path(args.output), tuple(args.months or ()),
                       lambda: SparkEngine(args.store, master=None), force=args.force)
    except WorkbookError as exc:  # as the infusion-billing command says it: one sentence, exit 2
        print(f"infusion-billing: {exc}", file=sys.stderr)
        return 2
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
