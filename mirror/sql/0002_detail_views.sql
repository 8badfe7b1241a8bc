-- Version 2: views that resolve references into readable names and hide tombstoned rows,
-- so technicians can filter by asset or location name without writing joins.

CREATE VIEW work_orders_detail AS
SELECT w.id, w.work_order_no, w.title, w.description, w.status, w.upkeep_status, w.priority,
       w.upkeep_priority, w.type, w.category,
       w.asset_id, a.name AS asset_name, w.location_id, l.name AS location_name,
       w.assigned_to, u.name AS assigned_to_name, w.team_id, t.name AS team_name,
       w.due_date, w.start_date, w.date_completed, w.time_hours, w.labor_cost, w.additional_cost,
       w.created_at, w.updated_at, w.local_state
FROM work_orders w
LEFT JOIN assets a ON a.id = w.asset_id
LEFT JOIN locations l ON l.id = w.location_id
LEFT JOIN users u ON u.id = w.assigned_to
LEFT JOIN teams t ON t.id = w.team_id
WHERE w.deleted_at IS NULL;

CREATE VIEW assets_detail AS
SELECT a.id, a.name, a.type, a.category, a.status, a.location AS location_id, l.name AS location_name,
       a.parent AS parent_id, p.name AS parent_name, a.manufacturer, a.model, a.serial_number, a.barcode,
       a.install_date, a.criticality, a.description, a.local_state
FROM assets a
LEFT JOIN locations l ON l.id = a.location
LEFT JOIN assets p ON p.id = a.parent
WHERE a.deleted_at IS NULL;

CREATE VIEW maintenance_plans_detail AS
SELECT m.id, m.name, m.work_order_title, m.active, m.interval, m.rrfreq, m.rrinterval,
       m.next_due_date, m.last_due_date, m.asset_id, a.name AS asset_name,
       m.location_id, l.name AS location_name, m.assigned_to, u.name AS assigned_to_name,
       m.estimated_duration_hours, m.category
FROM maintenance_plans m
LEFT JOIN assets a ON a.id = m.asset_id
LEFT JOIN locations l ON l.id = m.location_id
LEFT JOIN users u ON u.id = m.assigned_to
WHERE m.deleted_at IS NULL;

CREATE VIEW meter_readings_detail AS
SELECT r.id, r.meter_id, m.name AS meter_name, m.units, r.value, r.date,
       m.asset_id, a.name AS asset_name, r.created_by, r.local_state
FROM meter_readings r
LEFT JOIN meters m ON m.id = r.meter_id
LEFT JOIN assets a ON a.id = m.asset_id
WHERE r.deleted_at IS NULL;
