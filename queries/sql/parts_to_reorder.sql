-- title: Parts at or below their reorder point
-- description: Parts whose quantity on hand is at or below their reorder point (UpKeep "minimum quantity"), biggest shortfall first, with the vendor of the latest purchase order that included the part (UpKeep keeps no vendor on a part) and that order's date and status. A part with a reorder point of 0 shows here only when none are left.
-- frequent: yes
SELECT p.id, p.sku, p.name, p.stock_quantity, p.reorder_point,
       p.reorder_point - p.stock_quantity AS shortfall,
       v.name AS vendor_name, po.po_date AS last_ordered_at, po.status AS last_order_status,
       p.unit_cost, p.warehouse_location, l.name AS location_name, p.local_state,
       po.vendor_id, po.id AS last_purchase_order_id, p.location_id
FROM spare_parts p
LEFT JOIN locations l ON l.id = p.location_id
LEFT JOIN purchase_orders po ON po.id = (
    SELECT o.id FROM purchase_orders o, json_each(o.parts) j
    WHERE json_extract(j.value, '$.part_id') = p.id AND o.deleted_at IS NULL
    ORDER BY o.po_date DESC, o.upkeep_created_at DESC LIMIT 1)
LEFT JOIN vendors v ON v.id = po.vendor_id
WHERE p.stock_quantity <= p.reorder_point AND p.deleted_at IS NULL
ORDER BY shortfall DESC, p.name, p.id
