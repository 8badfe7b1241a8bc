-- title: Maintenance history of an asset
-- description: Every work order on one asset, open or done (archived ones included, deleted ones not), newest first, with who completed it, the hours logged and the costs.
-- param asset: The asset's name (any case) or UpKeep id.
-- frequent: yes
SELECT w.id, w.work_order_no, w.title, w.type, w.upkeep_status, w.priority, w.created_at, w.date_completed,
       w.completed_by, cb.name AS completed_by_name, w.time_hours, w.labor_cost, w.additional_cost,
       w.failure_mode, w.category, w.asset_id, a.name AS asset_name
FROM work_orders w
LEFT JOIN users cb ON cb.id = w.completed_by
LEFT JOIN assets a ON a.id = w.asset_id
WHERE w.asset_id IN (SELECT id FROM assets WHERE id = :asset OR name = :asset COLLATE NOCASE)
  AND w.deleted_at IS NULL
ORDER BY w.created_at DESC, w.id
