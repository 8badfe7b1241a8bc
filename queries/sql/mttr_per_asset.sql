-- title: Mean time to repair per asset
-- description: For corrective work orders completed in the last N days: how many per asset, and the mean time from the work order's creation (the failure being reported) to its completion, in hours. Longest first.
-- param days: How many days back (whole days; empty means 90).
SELECT r.asset_id, a.name AS asset_name, r.repairs, r.mean_hours_to_repair, r.last_completed
FROM (
    SELECT w.asset_id, count(*) AS repairs,
           round(avg((julianday(w.date_completed) - julianday(w.created_at)) * 24), 2) AS mean_hours_to_repair,
           max(w.date_completed) AS last_completed
    FROM work_orders w INDEXED BY ix_work_orders_completed_cover
    WHERE w.date_completed >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now',
                                       printf('-%d days', CAST(coalesce(nullif(:days, ''), 90) AS INTEGER)))
      AND w.deleted_at IS NULL AND w.asset_id IS NOT NULL AND w.type = 'corrective'
    GROUP BY w.asset_id
) r
LEFT JOIN assets a ON a.id = r.asset_id
ORDER BY r.mean_hours_to_repair DESC, r.asset_id
