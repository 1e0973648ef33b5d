-- Revenue-cycle KPIs by clinic, month and payer: the one definition, run unchanged on DuckDB and Spark SQL.
-- Reads the relations of infusion_billing/kpis/relations.py (money DECIMAL(18,2), days as integers,
-- months as YYYY-MM text), every one with a clinic column: one value in a workbook, every clinic of the
-- store in the portfolio, which measures them all in one pass (every join and grouping is within a clinic).
-- Returns one row per (clinic, kpi_month, payer_id, kpi): numerator, denominator and factor; the figure is
-- numerator * factor / denominator (money KPIs: the numerator), computed from these exact decimals outside
-- the engine so every engine gives the same cents.
-- Portable subset only: CTEs, joins, CASE, COALESCE, SUM, COUNT, MAX, ROW_NUMBER, UNION ALL.
WITH
-- A claim's first adjudication: its earliest remit that is not a reversal (HFMA: count it once).
ranked_remits AS (
  SELECT e.clinic, e.remit_key, e.claim_id, e.claim_status, e.charge, e.paid, e.remit_day,
         ROW_NUMBER() OVER (PARTITION BY e.clinic, e.claim_id
                            ORDER BY COALESCE(e.remit_day, 99999999), e.remit_key) AS remit_rank
  FROM era_claims e
  WHERE e.is_reversal = 0
),
first_remit AS (
  SELECT clinic, remit_key, claim_id, claim_status, charge, paid, remit_day FROM ranked_remits WHERE remit_rank = 1
),
-- The remits with a denial among their adjustments (few: looked up, instead of joining every adjustment).
denying_remits AS (
  SELECT DISTINCT clinic, remit_key FROM era_adjustments WHERE is_denial = 1
),
replaced AS (
  SELECT DISTINCT clinic, original_claim_id AS claim_id FROM claims WHERE original_claim_id IS NOT NULL
),
reversed AS (
  SELECT DISTINCT clinic, claim_id FROM era_claims WHERE is_reversal = 1
),
-- Original claims (a corrected or void claim does not count again) with their first adjudication.
adjudicated AS (
  SELECT c.clinic, c.service_month, c.payer_id, c.claim_id, f.charge, f.claim_status,
         CASE WHEN d.remit_key IS NULL THEN 0 ELSE 1 END AS denied,
         CASE WHEN r.claim_id IS NULL THEN 0 ELSE 1 END AS was_replaced,
         CASE WHEN v.claim_id IS NULL THEN 0 ELSE 1 END AS was_reversed
  FROM claims c
  JOIN first_remit f ON f.clinic = c.clinic AND f.claim_id = c.claim_id
  LEFT JOIN denying_remits d ON d.clinic = f.clinic AND d.remit_key = f.remit_key
  LEFT JOIN replaced r ON r.clinic = c.clinic AND r.claim_id = c.claim_id
  LEFT JOIN reversed v ON v.clinic = c.clinic AND v.claim_id = c.claim_id
  WHERE c.frequency = '1'
),
-- Days from the date of service to the first remit that paid something.
first_payment AS (
  SELECT e.clinic, e.claim_id, MIN(e.remit_day) AS paid_day
  FROM era_claims e
  WHERE e.is_reversal = 0 AND e.paid > 0 AND e.remit_day IS NOT NULL
  GROUP BY e.clinic, e.claim_id
),
-- What the payer allowed on each line at its first adjudication: paid + patient share + sequestration
-- (era_lines carries each line's patient share and sequestration adjustments summed: unpaid_allowed).
first_remit_lines AS (
  SELECT l.clinic, l.claim_id, l.line_control_number, l.paid, l.unpaid_allowed
  FROM era_lines l JOIN first_remit f ON f.clinic = l.clinic AND f.remit_key = l.remit_key
),
first_allowed AS (
  SELECT clinic, claim_id, line_control_number,
         SUM(COALESCE(paid, CAST(0 AS DECIMAL(18,2))) + COALESCE(unpaid_allowed, CAST(0 AS DECIMAL(18,2)))) AS allowed
  FROM first_remit_lines
  GROUP BY clinic, claim_id, line_control_number
),
-- Underpayment on each paid line: found at the first remit (shortfall beyond the tolerance), and what
-- is still short now (the Reconciliation's Underpaid lines); the difference was recovered.
line_underpayment AS (
  SELECT r.clinic, r.service_month, r.payer_id,
         CASE WHEN r.expected_allowed - fa.allowed > r.tolerance
              THEN r.expected_allowed - fa.allowed ELSE CAST(0 AS DECIMAL(18,2)) END AS identified,
         CASE WHEN r.status = 'Underpaid'
              THEN r.expected_allowed - r.allowed ELSE CAST(0 AS DECIMAL(18,2)) END AS outstanding
  FROM reconciliation r
  JOIN first_allowed fa
    ON fa.clinic = r.clinic AND fa.claim_id = r.claim_id AND fa.line_control_number = r.line_control_number
  WHERE r.status IN ('Underpaid', 'Paid as expected', 'Overpaid') AND fa.allowed > 0
),
-- Money by month of service and payer: charges billed, contractual adjustments, payments.
money_parts AS (
  SELECT clinic, service_month, payer_id, charge, contractual_adjustment + sequestration AS contractual,
         paid AS payments,
         CAST(0 AS DECIMAL(18,2)) AS written_off
  FROM reconciliation
  UNION ALL
  SELECT c.clinic, c.service_month, c.payer_id, CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)),
         s.patient_paid, CAST(0 AS DECIMAL(18,2))
  FROM claim_status s JOIN claims c ON c.clinic = s.clinic AND c.claim_id = s.claim_id
  UNION ALL
  SELECT clinic, service_month, payer_id, CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)),
         denied_amount
  FROM denials WHERE work_status = 'Written off'
),
money_by_month AS (
  SELECT clinic, service_month, payer_id, SUM(charge) AS charges, SUM(contractual) AS contractual,
         SUM(payments) AS payments, SUM(written_off) AS written_off
  FROM money_parts GROUP BY clinic, service_month, payer_id
),
-- AR as of the report date by the claim's payer (a row of a claim not on the ledger: its responsible payer),
-- and the charges of the trailing window.
ar_parts AS (
  SELECT a.clinic, COALESCE(c.payer_id, a.responsible_party, 'Unknown') AS payer_id, a.balance AS ar,
         CASE WHEN a.age > 90 THEN a.balance ELSE 0 END AS over_90,
         CASE WHEN a.age > 120 THEN a.balance ELSE 0 END AS over_120,
         CAST(0 AS DECIMAL(18,2)) AS charges, CAST(0 AS DECIMAL(18,2)) AS net_revenue
  FROM ar_aging a LEFT JOIN claims c ON c.clinic = a.clinic AND c.claim_id = a.claim_id
  WHERE a.is_credit = 0
  UNION ALL
  SELECT r.clinic, r.payer_id, CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)),
         r.charge, r.charge - r.contractual_adjustment - r.sequestration
  FROM reconciliation r JOIN report p ON p.clinic = r.clinic
  WHERE r.service_day >= p.window_first_day AND r.service_day <= p.as_of_day
),
ar_by_payer AS (
  SELECT p.clinic, p.as_of_month AS service_month, a.payer_id, SUM(a.ar) AS ar, SUM(a.over_90) AS over_90,
         SUM(a.over_120) AS over_120, SUM(a.charges) AS charges, SUM(a.net_revenue) AS net_revenue,
         MAX(p.window_days) AS window_days
  FROM ar_parts a JOIN report p ON p.clinic = a.clinic
  GROUP BY p.clinic, p.as_of_month, a.payer_id
),
parts AS (
  SELECT clinic, service_month, payer_id, 'initial_denial_rate_count' AS kpi,
         CAST(SUM(denied) AS DECIMAL(18,2)) AS numerator, CAST(COUNT(*) AS DECIMAL(18,2)) AS denominator,
         1 AS factor
  FROM adjudicated GROUP BY clinic, service_month, payer_id
  UNION ALL
  SELECT clinic, service_month, payer_id, 'initial_denial_rate_dollars',
         SUM(CASE WHEN denied = 1 THEN charge ELSE CAST(0 AS DECIMAL(18,2)) END), SUM(charge), 1
  FROM adjudicated GROUP BY clinic, service_month, payer_id
  UNION ALL
  SELECT clinic, service_month, payer_id, 'first_pass_resolution_rate',
         CAST(SUM(CASE WHEN denied = 0 AND was_replaced = 0 AND was_reversed = 0 AND claim_status <> '4'
                       THEN 1 ELSE 0 END) AS DECIMAL(18,2)),
         CAST(COUNT(*) AS DECIMAL(18,2)), 1
  FROM adjudicated GROUP BY clinic, service_month, payer_id
  UNION ALL
  SELECT c.clinic, c.service_month, c.payer_id, 'clean_claim_rate',
         CAST(SUM(CASE WHEN c.status IN ('Submitted', 'Ready') AND r.claim_id IS NULL THEN 1 ELSE 0 END)
              AS DECIMAL(18,2)),
         CAST(COUNT(*) AS DECIMAL(18,2)), 1
  FROM claims c LEFT JOIN replaced r ON r.clinic = c.clinic AND r.claim_id = c.claim_id
  WHERE c.frequency = '1' AND c.status IN ('Submitted', 'Ready', 'Held')
  GROUP BY c.clinic, c.service_month, c.payer_id
  UNION ALL
  SELECT c.clinic, c.service_month, c.payer_id, 'average_days_to_payment',
         CAST(SUM(p.paid_day - c.service_day) AS DECIMAL(18,2)), CAST(COUNT(*) AS DECIMAL(18,2)), 1
  FROM claims c JOIN first_payment p ON p.clinic = c.clinic AND p.claim_id = c.claim_id
  WHERE c.frequency = '1' AND c.service_day IS NOT NULL
  GROUP BY c.clinic, c.service_month, c.payer_id
  UNION ALL
  SELECT clinic, service_month, payer_id, 'net_collection_rate', payments, charges - contractual, 1 FROM money_by_month
  UNION ALL
  SELECT clinic, service_month, payer_id, 'gross_collection_rate', payments, charges, 1 FROM money_by_month
  UNION ALL
  SELECT clinic, service_month, payer_id, 'final_denial_write_off_rate', written_off, charges - contractual, 1
  FROM money_by_month
  UNION ALL
  SELECT clinic, service_month, payer_id, 'underpayment_identified', SUM(identified), CAST(NULL AS DECIMAL(18,2)), 1
  FROM line_underpayment GROUP BY clinic, service_month, payer_id
  UNION ALL
  SELECT clinic, service_month, payer_id, 'underpayment_recovered',
         SUM(CASE WHEN identified > outstanding THEN identified - outstanding ELSE CAST(0 AS DECIMAL(18,2)) END),
         CAST(NULL AS DECIMAL(18,2)), 1
  FROM line_underpayment GROUP BY clinic, service_month, payer_id
  UNION ALL
  SELECT clinic, service_month, payer_id, 'underpayment_recovery_rate',
         SUM(CASE WHEN identified > outstanding THEN identified - outstanding ELSE CAST(0 AS DECIMAL(18,2)) END),
         SUM(identified), 1
  FROM line_underpayment GROUP BY clinic, service_month, payer_id
  UNION ALL
  SELECT clinic, service_month, payer_id, 'days_in_ar_gross', ar, charges, window_days FROM ar_by_payer
  UNION ALL
  SELECT clinic, service_month, payer_id, 'days_in_ar_net', ar, net_revenue, window_days FROM ar_by_payer
  UNION ALL
  SELECT clinic, service_month, payer_id, 'ar_over_90_rate', over_90, ar, 1 FROM ar_by_payer
  UNION ALL
  SELECT clinic, service_month, payer_id, 'ar_over_120_rate', over_120, ar, 1 FROM ar_by_payer
)
SELECT clinic, service_month AS kpi_month, payer_id, kpi, numerator, denominator, factor
FROM parts
WHERE service_month IS NOT NULL
UNION ALL
-- Every numerator and denominator is a sum, so the all-payers row is the sum of the payers' rows.
SELECT clinic, service_month, 'All payers', kpi, SUM(numerator), SUM(denominator), MAX(factor)
FROM parts
WHERE service_month IS NOT NULL
GROUP BY clinic, service_month, kpi
