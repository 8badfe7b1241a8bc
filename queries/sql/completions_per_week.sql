-- title: Completions per week
-- description: Work orders completed in each of the last N weeks (week_ending is a date, the last one today), split into corrective, preventive and other (predictive, improvement).
-- param weeks: How many weeks back (empty means 26).
WITH RECURSIVE
    horizon AS (
        SELECT CAST(coalesce(nullif(:weeks, ''), 26) AS INTEGER) AS weeks,
               strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS now
    ),
    week(k) AS (
        SELECT 0
        UNION ALL
        SELECT week.k + 1 FROM week, horizon WHERE week.k + 1 < horizon.weeks
    ),
    done AS (
        SELECT CAST((julianday(h.now) - julianday(w.date_completed)) / 7 AS INTEGER) AS k,
               count(*) AS completed,
               sum(w.type = 'corrective') AS corrective,
               sum(w.type = 'preventive') AS preventive,
               sum(w.type NOT IN ('corrective', 'preventive')) AS other
        FROM horizon h, work_orders w INDEXED BY ix_work_orders_completed_cover
        WHERE w.date_completed > strftime('%Y-%m-%dT%H:%M:%fZ', h.now, printf('-%d days', 7 * h.weeks))
          AND w.date_completed <= h.now
          AND w.deleted_at IS NULL
        GROUP BY 1
    )
SELECT date(h.now, printf('-%d days', 7 * week.k)) AS week_ending,
       coalesce(d.completed, 0) AS completed,
       coalesce(d.corrective, 0) AS corrective,
       coalesce(d.preventive, 0) AS preventive,
       coalesce(d.other, 0) AS other
FROM week
CROSS JOIN horizon h
LEFT JOIN done d ON d.k = week.k
ORDER BY week_ending
