-- title: Open emergencies and high priority
-- description: Work orders of priority emergency or high that are not done yet (UpKeep status open, on hold or in progress), emergencies first, then by due date (overdue first). Archived and deleted work orders are left out.
-- frequent: yes
SELECT w.id, w.work_order_no, w.title, w.upkeep_status, w.priority, w.due_date,
       w.due_date < strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS overdue,
       w.asset_id, a.name AS asset_name, w.location_id, l.name AS location_name,
       w.assigned_to, u.name AS assigned_to_name, w.local_state
FROM work_orders w INDEXED BY ix_work_orders_open_location
LEFT JOIN assets a ON a.id = w.asset_id
LEFT JOIN locations l ON l.id = w.location_id
LEFT JOIN users u ON u.id = w.assigned_to
WHERE w.priority IN ('emergency', 'high')
  AND w.deleted_at IS NULL AND w.archived = 0 AND w.status IN ('created', 'assigned', 'in_progress')
ORDER BY w.upkeep_priority DESC, w.due_date IS NULL, w.due_date, w.id
