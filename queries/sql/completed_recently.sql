-- title: Work orders completed recently
-- description: Work orders completed in the last N days, most recent first, with who completed them, the hours logged and the costs.
-- param days: How many days back (whole days; empty means 7).
-- frequent: yes
SELECT w.id, w.work_order_no, w.title, w.type, w.priority, w.date_completed,
       w.completed_by, cb.name AS completed_by_name, w.asset_id, a.name AS asset_name,
       w.location_id, l.name AS location_name, w.time_hours, w.labor_cost, w.additional_cost
FROM work_orders w
LEFT JOIN users cb ON cb.id = w.completed_by
LEFT JOIN assets a ON a.id = w.asset_id
LEFT JOIN locations l ON l.id = w.location_id
WHERE w.date_completed >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now',
                                   printf('-%d days', CAST(coalesce(nullif(:days, ''), 7) AS INTEGER)))
  AND w.deleted_at IS NULL
ORDER BY w.date_completed DESC, w.id
