-- Denied dollars and denials by clinic, month of service and category, from every clinic's Denials worklist
-- (the KPI relation denials); the report keeps the months asked for and sums them by category. Portable
-- subset: runs unchanged on DuckDB and Spark SQL.
SELECT clinic, service_month, COALESCE(category, 'Uncategorized') AS category, COUNT(*) AS denials,
       SUM(denied_amount) AS denied
FROM denials
GROUP BY clinic, service_month, COALESCE(category, 'Uncategorized')
