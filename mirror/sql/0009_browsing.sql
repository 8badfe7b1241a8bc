-- Version 9: what technicians browse (issue 13).
--
-- 1. Labour cost is NULL when UpKeep recorded no hourly cost ("not recorded"), never a false 0.0.
--    Dropping a NOT NULL constraint does not change the file format, so this uses SQLite's documented
--    in-place procedure (https://www.sqlite.org/lang_altertable.html#otheralter) instead of copying a
--    million-row table; the CREATE VIEW statements below bump the schema cookie, so every open
--    connection reloads the schema. Rows mapped before show 0.0 where no timer carried an hourly cost:
--    they become NULL.
-- 2. The work order view leads with what people read (number, title, UpKeep's status words, priority,
--    due date, asset, location, assignee); Machina's status stays in the table and as machina_status.
-- 3. Preventive maintenance says its frequency in words ("every 2 weeks").

PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql, 'labor_cost FLOAT NOT NULL', 'labor_cost FLOAT')
WHERE type = 'table' AND name = 'work_orders';
PRAGMA writable_schema = RESET;

UPDATE work_orders SET labor_cost = NULL
WHERE labor_cost = 0
  AND NOT EXISTS (SELECT 1 FROM json_each(work_orders.raw, '$.timeLog') e, json_each(e.value, '$.timers') t
                  WHERE json_type(e.value, '$.timers') = 'array'
                    AND json_extract(t.value, '$.hourlyCost') IS NOT NULL);

DROP VIEW work_orders_detail;

-- Names come from correlated lookups rather than joins (as in version 3): a count or a facet over a
-- million work orders reads work_orders alone; only the rows on the page look their names up.
CREATE VIEW work_orders_detail AS
SELECT w.work_order_no, w.title,
       CASE w.upkeep_status WHEN 'onHold' THEN 'on hold' WHEN 'inProgress' THEN 'in progress'
                            ELSE w.upkeep_status END AS status,
       w.priority, w.due_date,
       (SELECT name FROM assets WHERE id = w.asset_id) AS asset_name,
       (SELECT name FROM locations WHERE id = w.location_id) AS location_name,
       (SELECT name FROM users WHERE id = w.assigned_to) AS assigned_to_name,
       w.category, w.type, w.description, w.date_completed,
       (SELECT name FROM users WHERE id = w.completed_by) AS completed_by_name,
       w.time_hours, w.labor_cost, w.additional_cost, w.local_state, w.archived,
       (SELECT name FROM teams WHERE id = w.team_id) AS team_name,
       w.start_date, w.created_at, w.updated_at,
       w.status AS machina_status, w.upkeep_status, w.upkeep_priority,
       w.id, w.asset_id, w.location_id, w.assigned_to, w.team_id, w.completed_by,
       w.rowid AS rowid
FROM work_orders w
WHERE w.deleted_at IS NULL;

DROP VIEW maintenance_plans_detail;

CREATE VIEW maintenance_plans_detail AS
SELECT m.id, m.name, m.work_order_title, m.active,
       CASE WHEN m.rrfreq IS NULL THEN NULL
            ELSE 'every ' || CASE WHEN coalesce(m.rrinterval, 1) = 1 THEN '' ELSE m.rrinterval || ' ' END
                 || CASE upper(m.rrfreq) WHEN 'DAILY' THEN 'day' WHEN 'WEEKLY' THEN 'week'
                                         WHEN 'MONTHLY' THEN 'month' WHEN 'YEARLY' THEN 'year'
                                         ELSE lower(m.rrfreq) END
                 || CASE WHEN coalesce(m.rrinterval, 1) = 1 THEN '' ELSE 's' END
       END AS frequency,
       m.next_due_date, m.last_due_date, m.asset_id, a.name AS asset_name,
       m.location_id, l.name AS location_name, m.assigned_to, u.name AS assigned_to_name,
       m.estimated_duration_hours, m.category, m.interval, m.rrfreq, m.rrinterval
FROM maintenance_plans m
LEFT JOIN assets a ON a.id = m.asset_id
LEFT JOIN locations l ON l.id = m.location_id
LEFT JOIN users u ON u.id = m.assigned_to
WHERE m.deleted_at IS NULL;

-- The asset page shows each meter's latest reading.
CREATE INDEX ix_meter_readings_meter_date ON meter_readings (meter_id, date);
