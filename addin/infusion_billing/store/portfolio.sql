-- The portfolio's counts and sums beside the KPIs, per clinic and month of service: encounters (all of the
-- month's, whatever their status), original claims, the Charges sheet's total (everything coded, billed or
-- not), denied amounts on the Denials worklist, and the AR as of each clinic's report date split by who owes
-- it (credit balances left out). Reads every clinic's rows: the sheets' tables (sheet_*) and the KPI
-- relations (claims, denials, ar_aging, report), with the clinic and month columns the folders give. Portable subset: runs unchanged on
-- DuckDB and Spark SQL.
WITH parts AS (
  SELECT clinic, month, COUNT(*) AS encounters, 0 AS claims, CAST(0 AS DECIMAL(18,2)) AS charges,
         CAST(0 AS DECIMAL(18,2)) AS denied, CAST(0 AS DECIMAL(18,2)) AS insurance_ar,
         CAST(0 AS DECIMAL(18,2)) AS patient_ar
  FROM sheet_encounters GROUP BY clinic, month
  UNION ALL
  SELECT clinic, service_month, 0, COUNT(*), CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)),
         CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2))
  FROM claims WHERE frequency = '1' GROUP BY clinic, service_month
  UNION ALL
  SELECT clinic, month, 0, 0, SUM(charge), CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)),
         CAST(0 AS DECIMAL(18,2))
  FROM sheet_charges GROUP BY clinic, month
  UNION ALL
  SELECT clinic, service_month, 0, 0, CAST(0 AS DECIMAL(18,2)), SUM(denied_amount), CAST(0 AS DECIMAL(18,2)),
         CAST(0 AS DECIMAL(18,2))
  FROM denials GROUP BY clinic, service_month
  UNION ALL
  SELECT a.clinic, p.as_of_month, 0, 0, CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)),
         SUM(CASE WHEN a.responsible_type = 'Insurance' THEN a.balance ELSE CAST(0 AS DECIMAL(18,2)) END),
         SUM(CASE WHEN a.responsible_type = 'Patient' THEN a.balance ELSE CAST(0 AS DECIMAL(18,2)) END)
  FROM ar_aging a JOIN report p ON p.clinic = a.clinic
  WHERE a.is_credit = 0
  GROUP BY a.clinic, p.as_of_month
)
SELECT clinic, month, SUM(encounters) AS encounters, SUM(claims) AS claims, SUM(charges) AS charges,
       SUM(denied) AS denied, SUM(insurance_ar) AS insurance_ar, SUM(patient_ar) AS patient_ar
FROM parts
WHERE month IS NOT NULL AND month <> 'undated'
GROUP BY clinic, month
