-- title: My open work orders
-- description: Work orders assigned to one person that are not done yet (UpKeep status open, on hold or in progress), most urgent first: highest priority, then earliest due date. Archived and deleted work orders are left out.
-- param user: Your name, email or UpKeep user id (any case).
-- frequent: yes
SELECT w.id, w.work_order_no, w.title, w.upkeep_status, w.priority, w.due_date,
       w.due_date < strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS overdue,
       w.asset_id, a.name AS asset_name, w.location_id, l.name AS location_name,
       w.assigned_to, u.name AS assigned_to_name, w.category, w.local_state
FROM work_orders w INDEXED BY ix_work_orders_open_assignee
LEFT JOIN users u ON u.id = w.assigned_to
LEFT JOIN assets a ON a.id = w.asset_id
LEFT JOIN locations l ON l.id = w.location_id
WHERE w.assigned_to IN (SELECT id FROM users WHERE id = :user OR name = :user COLLATE NOCASE OR email = :user COLLATE NOCASE)
  AND w.deleted_at IS NULL AND w.archived = 0 AND w.status IN ('created', 'assigned', 'in_progress')
ORDER BY w.upkeep_priority DESC, w.due_date IS NULL, w.due_date, w.id
