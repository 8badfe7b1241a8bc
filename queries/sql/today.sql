-- title: Today at a glance
-- description: The day's counts on one line, as the start page shows them: open work orders past due, open emergencies and high-priority work, preventive maintenance due within 7 days (or late), parts at or below their reorder point, and local writes waiting for UpKeep (pending or being sent) or stuck (failed or in conflict, waiting for a person).
-- frequent: yes
SELECT
    (SELECT count(*) FROM work_orders w INDEXED BY ix_work_orders_open_due
     WHERE w.due_date < strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
       AND w.deleted_at IS NULL AND w.archived = 0 AND w.status IN ('created', 'assigned', 'in_progress')
    ) AS overdue,
    (SELECT count(*) FROM work_orders w INDEXED BY ix_work_orders_open_location
     WHERE w.priority IN ('emergency', 'high')
       AND w.deleted_at IS NULL AND w.archived = 0 AND w.status IN ('created', 'assigned', 'in_progress')
    ) AS urgent,
    (SELECT count(*) FROM maintenance_plans m
     WHERE m.next_due_date < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+7 days')
       AND m.deleted_at IS NULL AND m.active = 1) AS pm_due_7_days,
    (SELECT count(*) FROM spare_parts p
     WHERE p.stock_quantity <= p.reorder_point AND p.deleted_at IS NULL) AS parts_to_reorder,
    (SELECT count(*) FROM outbox o WHERE o.state IN ('pending', 'sending')) AS writes_waiting,
    (SELECT count(*) FROM outbox o WHERE o.state IN ('dead', 'conflict')) AS writes_stuck
