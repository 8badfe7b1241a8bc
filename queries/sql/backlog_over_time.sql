-- title: Backlog over time
-- description: Open work orders at the end of each of the last N weeks (week_ending is a date, the last one today), with how many were created and completed in that week. Past points are reconstructed from today's open count and the creation and completion dates of the weeks after them.
-- param weeks: How many weeks back (empty means 26).
WITH RECURSIVE
    horizon AS (
        SELECT CAST(coalesce(nullif(:weeks, ''), 26) AS INTEGER) AS weeks,
               strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS now
    ),
    week(k) AS (
        SELECT 0
        UNION ALL
        SELECT week.k + 1 FROM week, horizon WHERE week.k < horizon.weeks
    ),
    created AS (
        SELECT CAST((julianday(h.now) - julianday(w.created_at)) / 7 AS INTEGER) AS k, count(*) AS n
        FROM horizon h, work_orders w INDEXED BY ix_work_orders_created_cover
        WHERE w.created_at > strftime('%Y-%m-%dT%H:%M:%fZ', h.now, printf('-%d days', 7 * (h.weeks + 1)))
          AND w.deleted_at IS NULL
        GROUP BY 1
    ),
    completed AS (
        SELECT CAST((julianday(h.now) - julianday(w.date_completed)) / 7 AS INTEGER) AS k, count(*) AS n
        FROM horizon h, work_orders w INDEXED BY ix_work_orders_completed_cover
        WHERE w.date_completed > strftime('%Y-%m-%dT%H:%M:%fZ', h.now, printf('-%d days', 7 * (h.weeks + 1)))
          AND w.deleted_at IS NULL
        GROUP BY 1
    ),
    open_now AS (
        SELECT count(*) AS n
        FROM work_orders w INDEXED BY ix_work_orders_open_due
        WHERE w.deleted_at IS NULL AND w.archived = 0 AND w.status IN ('created', 'assigned', 'in_progress')
    )
SELECT date(h.now, printf('-%d days', 7 * week.k)) AS week_ending,
       o.n - coalesce(sum(coalesce(cr.n, 0) - coalesce(co.n, 0))
                      OVER (ORDER BY week.k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS open_work_orders,
       coalesce(cr.n, 0) AS created,
       coalesce(co.n, 0) AS completed
FROM week
CROSS JOIN horizon h
CROSS JOIN open_now o
LEFT JOIN created cr ON cr.k = week.k
LEFT JOIN completed co ON co.k = week.k
ORDER BY week_ending
