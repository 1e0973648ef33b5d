"""The columnar store: every table of many books as Parquet, for portfolio reporting on DuckDB or Spark.

Needs the ``store`` extra (``pip install "infusion-billing[store]"``: pyarrow and duckdb); nothing
else in the package imports this one, so the add-in in Excel never needs them.
"""
