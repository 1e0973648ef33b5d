"""The engines the portfolio SQL runs on: DuckDB on one machine, Spark on one or many.

Both see the store the same way: each relation a view over its Parquet folder
(``STORE/<relation>/clinic=X/month=YYYY-MM/*.parquet``), ``clinic`` and ``month`` read from the folder
names as text (partition type inference off, so a clinic called ``2024`` stays text), columns merged by
name across files. A view may be limited to some clinics (their folders alone are read); the KPI SQL
measures every clinic it sees in one pass, each within itself. The SQL itself is never changed for an engine.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol

from ..display import shown
from ..workbook.reader import WorkbookError

#: Log4j settings for a Spark session the tool starts: errors only on the user's terminal.
QUIET_LOG = Path(str(files("infusion_billing.store").joinpath("spark-log4j2.properties")))
#: A relation's columns as (name, SQL type) pairs; None: every column the files hold.
Columns = Sequence[tuple[str, str]] | None


class Engine(Protocol):
    """What the portfolio report needs from an engine."""

    name: str

    def view(self, name: str, folder: str, columns: Columns = None, clinics: Sequence[str] | None = None) -> None:
        """(Re)define view ``name`` over the relation in ``folder`` (below the store), limited to ``clinics``."""

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run ``sql``; its rows as tuples (DECIMAL as Decimal)."""

    def close(self) -> None: ...


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class DuckDBEngine:
    """DuckDB in this process, over the store's Parquet files (``pip install "infusion-billing[store]"``)."""

    name = "DuckDB"

    def __init__(self, store: Path, threads: int | None = None) -> None:
        import duckdb  # noqa: PLC0415 — optional dependency

        self.store = Path(store)
        self.con = duckdb.connect(":memory:")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")

    def view(self, name: str, folder: str, columns: Columns = None, clinics: Sequence[str] | None = None) -> None:
        """(Re)define view ``name``; a damaged Parquet file below the store is one sentence naming it."""
        base = self.store / folder
        roots = [base] if clinics is None else [base / f"clinic={c}" for c in clinics]
        globs = [str(r / "**" / "*.parquet") for r in roots if r.is_dir() and next(r.rglob("*.parquet"), None)]
        if not globs:
            self.con.execute(f"CREATE OR REPLACE VIEW {name} AS {_empty(columns)}")
            return
        # The folders give clinic (and month); hive_partitioning reads them even below clinic=X/.
        source = (f"read_parquet([{', '.join(_quoted(g) for g in globs)}], hive_partitioning = true, "
                  f"union_by_name = true, hive_types_autocast = false)")
        picked = ", ".join(c for c, _ in columns) if columns else "*"
        self._run(f"CREATE OR REPLACE VIEW {name} AS SELECT {picked} FROM {source}", folder)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self._run(sql).fetchall()

    def _run(self, sql: str, folder: str = "") -> Any:
        import duckdb  # noqa: PLC0415 — optional dependency

        try:
            return self.con.execute(sql)
        except duckdb.BinderException as exc:
            missing = re.search(r'Referenced column "(\w+)" not found', str(exc))
            if not folder or missing is None:
                raise
            raise WorkbookError(older_store_message(folder, missing.group(1))) from None
        except duckdb.Error:
            bad = damaged_file(self.store)
            if bad is None:
                raise
            raise WorkbookError(damaged_message(self.store, bad)) from None

    def close(self) -> None:
        self.con.close()


def damaged_file(store: Path) -> Path | None:
    """The first Parquet file below ``store`` whose footer cannot be read (cut short, overwritten), if any."""
    for path in sorted(store.rglob("*.parquet")):
        if footer_rows(path) is None:
            return path
    return None


def footer_rows(path: Path) -> int | None:
    """The rows a Parquet file's footer records (no data read); None when the footer cannot be read
    (the file cut short or overwritten)."""
    import pyarrow as pa  # noqa: PLC0415 — optional dependency
    import pyarrow.parquet as pq  # noqa: PLC0415

    try:
        return int(pq.read_metadata(path).num_rows)
    except (OSError, ValueError, pa.ArrowException):
        return None


def damaged_message(store: Path, path: Path) -> str:
    """The sentence for a damaged store file, named as it sits in the store."""
    return (f"The store file {shown(path.relative_to(store).as_posix(), whole=True)} is damaged (not a readable "
            "Parquet file); restore the store from a backup, or delete that clinic's folders and export its book "
            "again.")


def older_store_message(folder: str, column: str) -> str:
    """The sentence for a store table without a column this version reads (written by an older version)."""
    return (f"The store's {folder} files have no {column} column: an older version of infusion-billing wrote them; "
            "export each clinic's book into the store again.")


def _empty(columns: Columns) -> str:
    """A query of no rows with the relation's columns (a relation no clinic has rows in yet)."""
    if not columns:
        return "SELECT NULL AS clinic WHERE 1 = 0"
    casts = ", ".join(f"CAST(NULL AS {sql_type}) AS {name}" for name, sql_type in columns)
    return f"SELECT {casts} WHERE 1 = 0"


class SparkEngine:
    """Spark SQL over the same layout (``pip install "infusion-billing[spark]"``, a Java runtime).

    ``store`` is a local folder or any URI Spark reads (``s3a://bucket/store``, ``hdfs://...``); pass a
    session built for a cluster, ``master=None`` for the one ``spark-submit`` configured, or let it start a
    local one (``local[2]``). A local one shuffles into ``shuffle_partitions`` (adaptive execution merges
    the small ones, so a three-clinic store and a fifty-clinic one both run well) with ``driver_memory``
    for the driver, which is the executor too in local mode.
    """

    name = "Spark"

    def __init__(self, store: str | Path, spark: Any = None, master: str | None = "local[2]",
                 shuffle_partitions: int = 8, driver_memory: str = "4g") -> None:
        with warnings.catch_warnings():  # pyspark's own note on the pandas version says nothing to a biller
            warnings.filterwarnings("ignore", message="PySpark does not yet fully support", category=FutureWarning)
            from pyspark.sql import SparkSession  # noqa: PLC0415 — optional dependency

        self.store = str(store).rstrip("/")
        self.own = spark is None
        if spark is None:
            builder = SparkSession.builder.appName("infusion-billing portfolio")
            if master:  # else the master spark-submit was given, and its logging
                builder = builder.master(master).config("spark.ui.enabled", "false") \
                    .config("spark.sql.shuffle.partitions", str(shuffle_partitions)) \
                    .config("spark.sql.adaptive.enabled", "true") \
                    .config("spark.sql.adaptive.coalescePartitions.enabled", "true") \
                    .config("spark.driver.memory", driver_memory) \
                    .config("spark.ui.showConsoleProgress", "false") \
                    .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={QUIET_LOG.as_uri()}")
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="PySpark does not yet fully support", category=FutureWarning)
                spark = builder.getOrCreate()
            if master:
                spark.sparkContext.setLogLevel("ERROR")
        self.spark = spark
        self.frames: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = {}
        # clinic=2024 and month=2026-10 stay text, as DuckDB reads them.
        self.spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")

    def view(self, name: str, folder: str, columns: Columns = None, clinics: Sequence[str] | None = None) -> None:
        from pyspark.sql import functions as F  # noqa: PLC0415, N812 — optional dependency

        frame = self._frame(folder, columns)
        if frame is None:  # a relation no clinic has rows in yet
            self.spark.sql(_empty(_spark_types(columns))).createOrReplaceTempView(name)
            return
        if clinics is not None:  # a filter on the partition column: Spark reads those folders only
            frame = frame.where(F.col("clinic").isin(list(clinics)))
        if columns:
            frame = frame.select(*[c for c, _ in columns])
        frame.createOrReplaceTempView(name)

    def _frame(self, folder: str, columns: Columns) -> Any:
        """The relation's files as one DataFrame, read once. With its columns known, their types are given
        (no job to infer and merge the files' schemas): the store writes every file of a relation alike."""
        key = (folder, tuple(columns or ()))
        if key in self.frames:
            return self.frames[key]
        from pyspark.sql.types import StructType  # noqa: PLC0415 — optional dependency

        path = f"{self.store}/{folder}"
        reader = self.spark.read.option("basePath", path)
        if columns:
            wanted = dict(_spark_types(columns) or ())
            wanted.setdefault("clinic", "STRING")
            wanted.setdefault("month", "STRING")
            reader = reader.schema(StructType.fromDDL(", ".join(f"{c} {t}" for c, t in wanted.items())))
        else:
            reader = reader.option("mergeSchema", "true")
        try:
            frame = reader.parquet(path)
        except Exception as exc:  # Spark's AnalysisException: no such folder yet
            if not any(word in str(exc) for word in ("PATH_NOT_FOUND", "does not exist", "UNABLE_TO_INFER_SCHEMA")):
                raise
            frame = None
        self.frames[key] = frame
        return frame

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.spark.sql(sql).collect()]

    def close(self) -> None:
        if self.own:
            self.spark.stop()


def _spark_types(columns: Columns) -> Columns:
    """Spark spells VARCHAR without a length STRING."""
    if not columns:
        return columns
    return [(name, "STRING" if sql_type.upper() == "VARCHAR" else sql_type) for name, sql_type in columns]
