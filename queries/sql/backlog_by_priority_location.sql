-- title: Backlog by location and priority
-- description: Open work orders (UpKeep status open, on hold or in progress; not archived) counted per location and priority, biggest backlog first, with how many are overdue and when the oldest was created.
-- frequent: yes
SELECT coalesce(l.name, CASE WHEN b.location_id IS NULL THEN '(no location)' ELSE b.location_id END) AS location_name,
       b.priority, b.open_work_orders, b.overdue, b.oldest_created_at, b.location_id
FROM (
    SELECT w.location_id, w.priority, count(*) AS open_work_orders,
           count(CASE WHEN w.due_date < strftime('%Y-%m-%dT%H:%M:%fZ', 'now') THEN 1 END) AS overdue,
           min(w.created_at) AS oldest_created_at
    FROM work_orders w INDEXED BY ix_work_orders_open_location
    WHERE w.deleted_at IS NULL AND w.archived = 0 AND w.status IN ('created', 'assigned', 'in_progress')
    GROUP BY w.location_id, w.priority
) b
LEFT JOIN locations l ON l.id = b.location_id
ORDER BY b.open_work_orders DESC,
         CASE b.priority WHEN 'emergency' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,
         l.name IS NULL, l.name, b.location_id
