-- Open AR by clinic, month of service and aging bucket, from every clinic's AR Aging sheet (sheet_ar_aging)
-- as of its own report date; the report keeps the months asked for and sums them by bucket; first_age
-- orders the buckets (0-30 before 31-60 ...). Portable subset: runs unchanged on DuckDB and Spark SQL.
SELECT clinic, month, bucket, MIN(age) AS first_age, SUM(balance) AS balance
FROM sheet_ar_aging
GROUP BY clinic, month, bucket
