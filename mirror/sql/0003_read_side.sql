-- Version 3: the read side (queries/ and Datasette).
--
-- 1. Full-text search on work orders (title, description), assets (name, model, serial number,
--    location name) and parts (name, description, SKU). Triggers keep the indexes current whatever
--    writes the rows (pull, outbox, a person with sqlite3). Tombstoned rows stay indexed, exactly like
--    their table; every search goes through a view or a named query that drops them.
--    Work orders and parts use external-content FTS5 tables (no second copy of the text), keyed by the
--    table's rowid; assets use a table with its own content because their search text includes the
--    location's name, which lives in another table.
-- 2. Indexes for the named queries in queries/sql/ (partial indexes over open work orders: their
--    WHERE clause is repeated verbatim by the queries that use them, which name their index with
--    INDEXED BY so that a schema change that loses it fails loudly instead of scanning).
-- 3. Live views (*_detail) for every mirrored table: no tombstones, references resolved to names,
--    and a trailing rowid column so Datasette can search them (metadata fts_table / fts_pk).

-- --- full-text search: work orders ---------------------------------------------------------------

CREATE VIRTUAL TABLE work_orders_fts USING fts5(
    title, description,
    content='work_orders', content_rowid='rowid',
    tokenize='porter unicode61 remove_diacritics 2'
);

INSERT INTO work_orders_fts (work_orders_fts) VALUES ('rebuild');

CREATE TRIGGER work_orders_fts_insert AFTER INSERT ON work_orders BEGIN
    INSERT INTO work_orders_fts (rowid, title, description) VALUES (new.rowid, new.title, new.description);
END;

CREATE TRIGGER work_orders_fts_delete AFTER DELETE ON work_orders BEGIN
    INSERT INTO work_orders_fts (work_orders_fts, rowid, title, description)
    VALUES ('delete', old.rowid, old.title, old.description);
END;

CREATE TRIGGER work_orders_fts_update AFTER UPDATE OF title, description ON work_orders
WHEN old.title IS NOT new.title OR old.description IS NOT new.description BEGIN
    INSERT INTO work_orders_fts (work_orders_fts, rowid, title, description)
    VALUES ('delete', old.rowid, old.title, old.description);
    INSERT INTO work_orders_fts (rowid, title, description) VALUES (new.rowid, new.title, new.description);
END;

-- --- full-text search: parts ---------------------------------------------------------------------

CREATE VIRTUAL TABLE spare_parts_fts USING fts5(
    name, description, sku,
    content='spare_parts', content_rowid='rowid',
    tokenize='porter unicode61 remove_diacritics 2'
);

INSERT INTO spare_parts_fts (spare_parts_fts) VALUES ('rebuild');

CREATE TRIGGER spare_parts_fts_insert AFTER INSERT ON spare_parts BEGIN
    INSERT INTO spare_parts_fts (rowid, name, description, sku) VALUES (new.rowid, new.name, new.description, new.sku);
END;

CREATE TRIGGER spare_parts_fts_delete AFTER DELETE ON spare_parts BEGIN
    INSERT INTO spare_parts_fts (spare_parts_fts, rowid, name, description, sku)
    VALUES ('delete', old.rowid, old.name, old.description, old.sku);
END;

CREATE TRIGGER spare_parts_fts_update AFTER UPDATE OF name, description, sku ON spare_parts
WHEN old.name IS NOT new.name OR old.description IS NOT new.description OR old.sku IS NOT new.sku BEGIN
    INSERT INTO spare_parts_fts (spare_parts_fts, rowid, name, description, sku)
    VALUES ('delete', old.rowid, old.name, old.description, old.sku);
    INSERT INTO spare_parts_fts (rowid, name, description, sku) VALUES (new.rowid, new.name, new.description, new.sku);
END;

-- --- full-text search: assets (own content: includes the location's name) -------------------------

CREATE VIRTUAL TABLE assets_fts USING fts5(
    name, model, serial_number, location_name,
    tokenize='porter unicode61 remove_diacritics 2'
);

INSERT INTO assets_fts (rowid, name, model, serial_number, location_name)
SELECT a.rowid, a.name, a.model, a.serial_number, l.name
FROM assets a LEFT JOIN locations l ON l.id = a.location;

CREATE TRIGGER assets_fts_insert AFTER INSERT ON assets BEGIN
    INSERT INTO assets_fts (rowid, name, model, serial_number, location_name)
    VALUES (new.rowid, new.name, new.model, new.serial_number, (SELECT name FROM locations WHERE id = new.location));
END;

CREATE TRIGGER assets_fts_delete AFTER DELETE ON assets BEGIN
    DELETE FROM assets_fts WHERE rowid = old.rowid;
END;

CREATE TRIGGER assets_fts_update AFTER UPDATE OF name, model, serial_number, location ON assets
WHEN old.name IS NOT new.name OR old.model IS NOT new.model OR old.serial_number IS NOT new.serial_number
     OR old.location IS NOT new.location BEGIN
    DELETE FROM assets_fts WHERE rowid = old.rowid;
    INSERT INTO assets_fts (rowid, name, model, serial_number, location_name)
    VALUES (new.rowid, new.name, new.model, new.serial_number, (SELECT name FROM locations WHERE id = new.location));
END;

-- A location arriving after its assets (or renamed) changes their search text.
CREATE TRIGGER assets_fts_location_insert AFTER INSERT ON locations BEGIN
    UPDATE assets_fts SET location_name = new.name WHERE rowid IN (SELECT rowid FROM assets WHERE location = new.id);
END;

CREATE TRIGGER assets_fts_location_update AFTER UPDATE OF name ON locations WHEN old.name IS NOT new.name BEGIN
    UPDATE assets_fts SET location_name = new.name WHERE rowid IN (SELECT rowid FROM assets WHERE location = new.id);
END;

CREATE TRIGGER assets_fts_location_delete AFTER DELETE ON locations BEGIN
    UPDATE assets_fts SET location_name = NULL WHERE rowid IN (SELECT rowid FROM assets WHERE location = old.id);
END;

-- --- indexes for the named queries ---------------------------------------------------------------
-- "Open" is: not tombstoned, not archived, Machina status created / assigned / in_progress
-- (UpKeep open, onHold, inProgress). Only a few percent of a mature account's work orders are open,
-- so these partial indexes stay small and the frequent queries never touch completed work.

CREATE INDEX ix_work_orders_open_assignee ON work_orders (assigned_to, due_date)
WHERE deleted_at IS NULL AND archived = 0 AND status IN ('created', 'assigned', 'in_progress');

CREATE INDEX ix_work_orders_open_asset ON work_orders (asset_id, due_date)
WHERE deleted_at IS NULL AND archived = 0 AND status IN ('created', 'assigned', 'in_progress');

CREATE INDEX ix_work_orders_open_due ON work_orders (due_date)
WHERE deleted_at IS NULL AND archived = 0 AND status IN ('created', 'assigned', 'in_progress');

CREATE INDEX ix_work_orders_open_location ON work_orders (location_id, priority, due_date, created_at)
WHERE deleted_at IS NULL AND archived = 0 AND status IN ('created', 'assigned', 'in_progress');

-- Creations per week (backlog over time) without table lookups.
CREATE INDEX ix_work_orders_created_cover ON work_orders (created_at, deleted_at);

-- Completions in a window (completed recently, per week, MTTR, cost per asset) without table lookups
-- for the columns those reports group by.
CREATE INDEX ix_work_orders_completed_cover ON work_orders (date_completed, deleted_at, asset_id, type, created_at);

-- Sync health: the latest runs of one entity.
CREATE INDEX ix_sync_runs_entity_started ON sync_runs (entity, started_at);

-- Users and assets are looked up by name in named-query parameters.
CREATE INDEX ix_users_name_nocase ON users (name COLLATE NOCASE);
CREATE INDEX ix_users_email_nocase ON users (email COLLATE NOCASE);
CREATE INDEX ix_assets_name_nocase ON assets (name COLLATE NOCASE);

-- --- live views: what technicians browse ----------------------------------------------------------

DROP VIEW work_orders_detail;

-- Names come from correlated lookups rather than joins: a count or a facet over a million work
-- orders then reads work_orders alone, and only the rows on the page look their names up.
CREATE VIEW work_orders_detail AS
SELECT w.id, w.work_order_no, w.title, w.description, w.status, w.upkeep_status, w.priority,
       w.upkeep_priority, w.type, w.category,
       w.asset_id, (SELECT name FROM assets WHERE id = w.asset_id) AS asset_name,
       w.location_id, (SELECT name FROM locations WHERE id = w.location_id) AS location_name,
       w.assigned_to, (SELECT name FROM users WHERE id = w.assigned_to) AS assigned_to_name,
       w.team_id, (SELECT name FROM teams WHERE id = w.team_id) AS team_name,
       w.due_date, w.start_date, w.date_completed, w.time_hours, w.labor_cost, w.additional_cost,
       w.created_at, w.updated_at, w.local_state,
       w.archived, w.completed_by, (SELECT name FROM users WHERE id = w.completed_by) AS completed_by_name,
       w.rowid AS rowid
FROM work_orders w
WHERE w.deleted_at IS NULL;

DROP VIEW assets_detail;

CREATE VIEW assets_detail AS
SELECT a.id, a.name, a.type, a.category, a.status, a.location AS location_id, l.name AS location_name,
       a.parent AS parent_id, p.name AS parent_name, a.manufacturer, a.model, a.serial_number, a.barcode,
       a.install_date, a.criticality, a.description, a.local_state, a.rowid AS rowid
FROM assets a
LEFT JOIN locations l ON l.id = a.location
LEFT JOIN assets p ON p.id = a.parent
WHERE a.deleted_at IS NULL;

CREATE VIEW spare_parts_detail AS
SELECT p.id, p.sku, p.name, p.description, p.category, p.manufacturer, p.stock_quantity, p.reorder_point,
       p.stock_quantity <= p.reorder_point AS at_or_below_reorder, p.lead_time_days, p.unit_cost,
       p.warehouse_location, p.location_id, l.name AS location_name, p.barcode, p.part_number,
       p.local_state, p.rowid AS rowid
FROM spare_parts p
LEFT JOIN locations l ON l.id = p.location_id
WHERE p.deleted_at IS NULL;

CREATE VIEW requests_detail AS
SELECT r.id, r.title, r.description, r.status, r.upkeep_priority, r.category,
       r.asset_id, a.name AS asset_name, r.location_id, l.name AS location_name,
       r.team_id, t.name AS team_name, r.assigned_to, u.name AS assigned_to_name,
       r.requested_by, rb.name AS requested_by_name, r.work_order_id, w.title AS work_order_title,
       r.due_date, r.upkeep_created_at AS created_at, r.local_state
FROM requests r
LEFT JOIN assets a ON a.id = r.asset_id
LEFT JOIN locations l ON l.id = r.location_id
LEFT JOIN teams t ON t.id = r.team_id
LEFT JOIN users u ON u.id = r.assigned_to
LEFT JOIN users rb ON rb.id = r.requested_by
LEFT JOIN work_orders w ON w.id = r.work_order_id
WHERE r.deleted_at IS NULL;

CREATE VIEW meters_detail AS
SELECT m.id, m.name, m.units, m.frequency, m.last_reading, m.asset_id, a.name AS asset_name,
       m.location_id, l.name AS location_name, m.local_state
FROM meters m
LEFT JOIN assets a ON a.id = m.asset_id
LEFT JOIN locations l ON l.id = m.location_id
WHERE m.deleted_at IS NULL;

CREATE VIEW purchase_orders_detail AS
SELECT p.id, p.purchase_order_number, p.title, p.description, p.status, p.vendor_id, v.name AS vendor_name,
       p.category, p.po_date, p.due_date, p.total_quantity, p.total_cost, p.local_state
FROM purchase_orders p
LEFT JOIN vendors v ON v.id = p.vendor_id
WHERE p.deleted_at IS NULL;

CREATE VIEW locations_detail AS
SELECT l.id, l.name, l.address, l.parent_location AS parent_id, p.name AS parent_name, l.latitude, l.longitude
FROM locations l
LEFT JOIN locations p ON p.id = l.parent_location
WHERE l.deleted_at IS NULL;

CREATE VIEW users_detail AS
SELECT id, name, email, first_name, last_name, account_type, job_title
FROM users
WHERE deleted_at IS NULL;

CREATE VIEW teams_detail AS
SELECT id, name, description
FROM teams
WHERE deleted_at IS NULL;

CREATE VIEW vendors_detail AS
SELECT id, name, email, phone_number, type, main_point_of_contact
FROM vendors
WHERE deleted_at IS NULL;

CREATE VIEW customers_detail AS
SELECT id, name, email, phone_number, type
FROM customers
WHERE deleted_at IS NULL;
