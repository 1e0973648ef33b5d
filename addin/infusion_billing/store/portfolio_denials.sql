-- Denied dollars and denials by category and clinic, from every clinic's Denials worklist (the KPI
-- relation denials). Portable subset: runs unchanged on DuckDB and Spark SQL.
SELECT clinic, COALESCE(category, 'Uncategorized') AS category, COUNT(*) AS denials, SUM(denied_amount) AS denied
FROM denials
GROUP BY clinic, COALESCE(category, 'Uncategorized')
