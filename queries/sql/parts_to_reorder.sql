-- title: Parts at or below their reorder point
-- description: Parts whose quantity on hand is at or below their reorder point (UpKeep "minimum quantity"), biggest shortfall first. A part with a reorder point of 0 shows here only when none are left.
-- frequent: yes
SELECT p.id, p.sku, p.name, p.stock_quantity, p.reorder_point,
       p.reorder_point - p.stock_quantity AS shortfall,
       p.lead_time_days, p.unit_cost, p.warehouse_location, p.location_id, l.name AS location_name,
       p.local_state
FROM spare_parts p
LEFT JOIN locations l ON l.id = p.location_id
WHERE p.stock_quantity <= p.reorder_point AND p.deleted_at IS NULL
ORDER BY shortfall DESC, p.name, p.id
