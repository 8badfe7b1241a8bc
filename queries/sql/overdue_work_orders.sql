-- title: Overdue work orders
-- description: Work orders past their due date and not done yet (UpKeep status open, on hold or in progress), longest overdue first. Each says how long it is overdue (days_overdue in the data: days, decimal).
-- frequent: yes
SELECT w.id, w.work_order_no, w.title, w.upkeep_status, w.priority, w.due_date,
       round(julianday('now') - julianday(w.due_date), 1) AS days_overdue,
       w.asset_id, a.name AS asset_name, w.location_id, l.name AS location_name,
       w.assigned_to, u.name AS assigned_to_name, w.local_state
FROM work_orders w INDEXED BY ix_work_orders_open_due
LEFT JOIN assets a ON a.id = w.asset_id
LEFT JOIN locations l ON l.id = w.location_id
LEFT JOIN users u ON u.id = w.assigned_to
WHERE w.due_date < strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  AND w.deleted_at IS NULL AND w.archived = 0 AND w.status IN ('created', 'assigned', 'in_progress')
ORDER BY w.due_date, w.id
