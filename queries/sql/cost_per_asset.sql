-- title: Labour and parts cost per asset
-- description: For work orders completed in the last N days, per asset: labour (hours on UpKeep's timers x their hourly cost; empty when UpKeep recorded no hourly cost for any of them, never a false 0), parts used (quantity x the part's current unit cost) and other costs recorded on the work order, in the account's currency; labor_not_recorded counts the work orders whose labour cost UpKeep does not give, which total_cost therefore leaves out. Most expensive first.
-- param days: How many days back (whole days; empty means 90).
SELECT c.asset_id, a.name AS asset_name, c.work_orders, c.labor_cost, c.labor_not_recorded, c.parts_cost,
       c.other_cost, round(coalesce(c.labor_cost, 0) + c.parts_cost + c.other_cost, 2) AS total_cost
FROM (
    SELECT w.asset_id, count(*) AS work_orders,
           round(sum(w.labor_cost), 2) AS labor_cost,
           count(*) - count(w.labor_cost) AS labor_not_recorded,
           round(coalesce(sum((SELECT sum(json_extract(u.value, '$.qty') * p.unit_cost)
                                FROM json_each(w.parts_used) u
                                JOIN spare_parts p ON p.id = json_extract(u.value, '$.part_id'))), 0), 2) AS parts_cost,
           round(sum(w.additional_cost), 2) AS other_cost
    FROM work_orders w INDEXED BY ix_work_orders_completed_cover
    WHERE w.date_completed >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now',
                                       printf('-%d days', CAST(coalesce(nullif(:days, ''), 90) AS INTEGER)))
      AND w.deleted_at IS NULL AND w.asset_id IS NOT NULL
    GROUP BY w.asset_id
) c
LEFT JOIN assets a ON a.id = c.asset_id
ORDER BY total_cost DESC, c.asset_id
