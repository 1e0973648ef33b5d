"""Revenue-cycle KPIs, written once as SQL (``kpis.sql``) that runs on DuckDB and on Spark SQL.

* :mod:`.relations`: the relations the SQL reads (names, columns, types) and how a workbook fills them;
* :mod:`.engine`: runs the SQL on DuckDB and divides numerators by denominators exactly;
* :mod:`.definitions`: what each KPI counts (``definitions.csv``) and its target (``targets.csv``);
* :mod:`.stage`: the ``kpis`` stage and its ``KPIs`` sheet.
"""
