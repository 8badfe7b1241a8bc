-- title: Open work orders for an asset
-- description: Work orders on one asset that are not done yet (UpKeep status open, on hold or in progress), most urgent first. Archived and deleted work orders are left out.
-- param asset: The asset's name (any case) or UpKeep id.
-- frequent: yes
SELECT w.id, w.work_order_no, w.title, w.upkeep_status, w.priority, w.due_date,
       w.due_date < strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS overdue,
       w.asset_id, a.name AS asset_name, w.assigned_to, u.name AS assigned_to_name,
       w.category, w.local_state
FROM work_orders w INDEXED BY ix_work_orders_open_asset
LEFT JOIN assets a ON a.id = w.asset_id
LEFT JOIN users u ON u.id = w.assigned_to
WHERE w.asset_id IN (SELECT id FROM assets WHERE id = :asset OR name = :asset COLLATE NOCASE)
  AND w.deleted_at IS NULL AND w.archived = 0 AND w.status IN ('created', 'assigned', 'in_progress')
ORDER BY w.upkeep_priority DESC, w.due_date IS NULL, w.due_date, w.id
