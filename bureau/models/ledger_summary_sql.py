"""
The ledger summary's fill from the ledger (`bureau.models.ledger_summary`): one set-based GROUP BY
per table. Used by migration 0034 (the first fill, right after it creates the triggers) and by
`manage.py ledger_summary --rebuild` (empty the tables, fill them again); both run it in one
transaction with the ledger locked against writers on PostgreSQL (SQLite has one writer at a time).
"""

# Writers of the ledger (and so the triggers) wait while the summary is filled; readers do not.
PG_LOCK = "LOCK TABLE bureau_payment, bureau_person IN SHARE ROW EXCLUSIVE MODE"

PG_FILL = [
    """
    CREATE TEMPORARY TABLE ledger_backfill ON COMMIT DROP AS
    SELECT pay.period_year AS year, pay.programme_id, pay.person_id, p.township_id,
           COUNT(*) AS payments, SUM((pay.amount * 100)::bigint) AS fen
    FROM bureau_payment pay JOIN bureau_person p ON p.id = pay.person_id
    WHERE pay.period_year IS NOT NULL GROUP BY 1, 2, 3, 4
    """,
    """
    INSERT INTO bureau_ledger_person_programme (year, programme_id, person_id, payments)
    SELECT year, programme_id, person_id, payments FROM ledger_backfill
    """,
    """
    INSERT INTO bureau_ledger_person_year (year, person_id, payments)
    SELECT year, person_id, SUM(payments) FROM ledger_backfill GROUP BY 1, 2
    """,
    """
    INSERT INTO bureau_ledger_programme_year (year, programme_id, township_id, persons, payments, total_fen)
    SELECT year, programme_id, township_id, COUNT(*), SUM(payments), SUM(fen) FROM ledger_backfill GROUP BY 1, 2, 3
    """,
    """
    INSERT INTO bureau_ledger_payee_year (year, township_id, persons)
    SELECT y.year, p.township_id, COUNT(*)
    FROM bureau_ledger_person_year y JOIN bureau_person p ON p.id = y.person_id GROUP BY 1, 2
    """,
    """
    INSERT INTO bureau_ledger_paid_month (year, township_id, paid_year, paid_month, payments, total_fen)
    SELECT pay.period_year, p.township_id, EXTRACT(YEAR FROM pay.paid_on)::integer,
           EXTRACT(MONTH FROM pay.paid_on)::integer, COUNT(*), SUM((pay.amount * 100)::bigint)
    FROM bureau_payment pay JOIN bureau_person p ON p.id = pay.person_id
    WHERE pay.period_year IS NOT NULL GROUP BY 1, 2, 3, 4
    """,
    "DROP TABLE ledger_backfill",
]

# The first fill as migration 0034 runs it: lock, then fill.
PG_BACKFILL = [PG_LOCK, *PG_FILL]

SQLITE_BACKFILL = [
    """INSERT INTO bureau_ledger_programme_year (year, programme_id, township_id, persons, payments, total_fen)
    SELECT pay.period_year, pay.programme_id, p.township_id, COUNT(DISTINCT pay.person_id), COUNT(*),
        SUM(CAST(ROUND(pay.amount * 100) AS INTEGER))
    FROM bureau_payment pay JOIN bureau_person p ON p.id = pay.person_id
    WHERE pay.period_year IS NOT NULL GROUP BY 1, 2, 3""",
    """INSERT INTO bureau_ledger_payee_year (year, township_id, persons)
    SELECT pay.period_year, p.township_id, COUNT(DISTINCT pay.person_id)
    FROM bureau_payment pay JOIN bureau_person p ON p.id = pay.person_id
    WHERE pay.period_year IS NOT NULL GROUP BY 1, 2""",
    """INSERT INTO bureau_ledger_paid_month (year, township_id, paid_year, paid_month, payments, total_fen)
    SELECT pay.period_year, p.township_id, CAST(SUBSTR(pay.paid_on, 1, 4) AS INTEGER),
        CAST(SUBSTR(pay.paid_on, 6, 2) AS INTEGER), COUNT(*), SUM(CAST(ROUND(pay.amount * 100) AS INTEGER))
    FROM bureau_payment pay JOIN bureau_person p ON p.id = pay.person_id
    WHERE pay.period_year IS NOT NULL GROUP BY 1, 2, 3, 4""",
]
