-- Version 11: field work -- checklists (work order form items), files and their content,
-- asset downtime statuses, custom fields. Tables generated from mirror/schema/fieldwork.py;
-- the two views read the records' own JSON (see that module's docstring).

CREATE TABLE form_templates (
	id VARCHAR NOT NULL, 
	upkeep_created_at VARCHAR, 
	upkeep_updated_at VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	deleted_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	description VARCHAR NOT NULL, 
	items JSON NOT NULL, 
	created_by VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(created_by) REFERENCES users (id)
);

CREATE INDEX ix_form_templates_created_by ON form_templates (created_by);
CREATE INDEX ix_form_templates_local_state ON form_templates (local_state);
CREATE INDEX ix_form_templates_upkeep_updated_at ON form_templates (upkeep_updated_at);

CREATE TABLE asset_downtime_statuses (
	id VARCHAR NOT NULL, 
	upkeep_created_at VARCHAR, 
	upkeep_updated_at VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	deleted_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_asset_downtime_statuses_local_state ON asset_downtime_statuses (local_state);
CREATE INDEX ix_asset_downtime_statuses_upkeep_updated_at ON asset_downtime_statuses (upkeep_updated_at);

CREATE TABLE custom_field_definitions (
	id VARCHAR NOT NULL, 
	upkeep_created_at VARCHAR, 
	upkeep_updated_at VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	deleted_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	applies_to VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	type VARCHAR NOT NULL, 
	options JSON NOT NULL, 
	decimal_precision INTEGER, 
	created_by VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(created_by) REFERENCES users (id)
);

CREATE INDEX ix_custom_field_definitions_created_by ON custom_field_definitions (created_by);
CREATE INDEX ix_custom_field_definitions_local_state ON custom_field_definitions (local_state);
CREATE INDEX ix_custom_field_definitions_upkeep_updated_at ON custom_field_definitions (upkeep_updated_at);

CREATE TABLE files (
	id VARCHAR NOT NULL, 
	upkeep_created_at VARCHAR, 
	upkeep_updated_at VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	deleted_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	filename VARCHAR NOT NULL, 
	url VARCHAR, 
	mime_type VARCHAR, 
	is_image BOOLEAN NOT NULL, 
	size_bytes INTEGER, 
	content_state VARCHAR NOT NULL, 
	content_sha256 VARCHAR, 
	content_stored_bytes INTEGER NOT NULL, 
	content_fetched_at VARCHAR, 
	content_note VARCHAR, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_files_content_state ON files (content_state);
CREATE INDEX ix_files_local_state ON files (local_state);
CREATE INDEX ix_files_upkeep_updated_at ON files (upkeep_updated_at);
CREATE INDEX ix_files_url ON files (url);

CREATE TABLE file_chunks (
	file_id VARCHAR NOT NULL, 
	seq INTEGER NOT NULL, 
	data BLOB NOT NULL, 
	PRIMARY KEY (file_id, seq)
);


CREATE TABLE work_order_tasks (
	id VARCHAR NOT NULL, 
	work_order_id VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	type VARCHAR NOT NULL, 
	value VARCHAR, 
	value_number FLOAT, 
	options JSON NOT NULL, 
	meter_id VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(work_order_id) REFERENCES work_orders (id), 
	FOREIGN KEY(meter_id) REFERENCES meters (id)
);

CREATE INDEX ix_work_order_tasks_local_state ON work_order_tasks (local_state);
CREATE INDEX ix_work_order_tasks_meter_id ON work_order_tasks (meter_id);
CREATE INDEX ix_work_order_tasks_work_order_id ON work_order_tasks (work_order_id);

CREATE TABLE work_order_task_lists (
	work_order_id VARCHAR NOT NULL, 
	upkeep_updated_at VARCHAR, 
	items INTEGER NOT NULL, 
	synced_at VARCHAR, 
	PRIMARY KEY (work_order_id), 
	FOREIGN KEY(work_order_id) REFERENCES work_orders (id)
);


-- A work order's checklist in order.
CREATE INDEX ix_work_order_tasks_order ON work_order_tasks (work_order_id, position);

-- Every file reference of a live asset or work order: the ``files`` id lists, and the image
-- slots, which UpKeep sends as {name, url} (matched to a file record by its url when there is one).
CREATE VIEW file_attachments AS
SELECT 'asset' AS record_type, a.id AS record_id, a.name AS record_name, 'files' AS slot,
       CAST(j.key AS INTEGER) AS position, j.value AS file_id, f.filename AS filename, f.url AS url
FROM assets a, json_each(a.raw, '$.files') j LEFT JOIN files f ON f.id = j.value
WHERE a.deleted_at IS NULL AND j.type = 'text'
UNION ALL
SELECT 'asset', a.id, a.name, s.slot, 0,
       (SELECT f.id FROM files f WHERE f.url = json_extract(a.raw, '$.' || s.slot || '.url') LIMIT 1),
       json_extract(a.raw, '$.' || s.slot || '.name'), json_extract(a.raw, '$.' || s.slot || '.url')
FROM assets a, (SELECT 'image' AS slot UNION ALL SELECT 'purchaseReceipt' UNION ALL SELECT 'warrantyFile') s
WHERE a.deleted_at IS NULL AND json_type(a.raw, '$.' || s.slot) = 'object'
UNION ALL
SELECT 'work_order', w.id, w.title, 'files', CAST(j.key AS INTEGER), j.value, f.filename, f.url
FROM work_orders w, json_each(w.raw, '$.files') j LEFT JOIN files f ON f.id = j.value
WHERE w.deleted_at IS NULL AND j.type = 'text'
UNION ALL
SELECT 'work_order', w.id, w.title, s.slot, 0,
       (SELECT f.id FROM files f WHERE f.url = json_extract(w.raw, '$.' || s.slot || '.url') LIMIT 1),
       json_extract(w.raw, '$.' || s.slot || '.name'), json_extract(w.raw, '$.' || s.slot || '.url')
FROM work_orders w,
     (SELECT 'image' AS slot UNION ALL SELECT 'image2' UNION ALL SELECT 'image3' UNION ALL SELECT 'image4'
      UNION ALL SELECT 'image5' UNION ALL SELECT 'signatureImage') s
WHERE w.deleted_at IS NULL AND json_type(w.raw, '$.' || s.slot) = 'object'
UNION ALL
-- attached offline, not yet uploaded: shown from the mirror's own copy
SELECT 'work_order', w.id, w.title, 'files', 1000, f.id, f.filename, NULL
FROM files f JOIN work_orders w ON w.id = json_extract(f.raw, '$.localAttachment.record_id')
WHERE f.content_state = 'local' AND f.deleted_at IS NULL;

-- Custom-field values of live assets (typed fieldValue objects), locations, parts and purchase
-- orders (name/value/unit lists): one row per value, facetable by field name and value.
CREATE VIEW custom_field_values AS
SELECT 'asset' AS record_type, a.id AS record_id, a.name AS record_name,
       json_extract(j.value, '$.id') AS field_id, json_extract(j.value, '$.name') AS field_name,
       json_extract(j.value, '$.type') AS field_type,
       CAST(coalesce(json_extract(j.value, '$.fieldValue.singleLineTextValue'),
                     json_extract(j.value, '$.fieldValue.multiLineTextValue'),
                     json_extract(j.value, '$.fieldValue.dropdownValue'),
                     json_extract(j.value, '$.fieldValue.dateValue'),
                     json_extract(j.value, '$.fieldValue.numberValue'),
                     json_extract(j.value, '$.fieldValue.currencyValue')) AS TEXT) AS value,
       coalesce(json_extract(j.value, '$.fieldValue.numberValue'),
                json_extract(j.value, '$.fieldValue.currencyValue')) AS value_number,
       NULL AS unit
FROM assets a, json_each(a.raw, '$.customFields') j
WHERE a.deleted_at IS NULL AND j.type = 'object'
UNION ALL
SELECT 'location', l.id, l.name, json_extract(j.value, '$.id'), json_extract(j.value, '$.name'), NULL,
       CAST(json_extract(j.value, '$.value') AS TEXT), NULL, json_extract(j.value, '$.unit')
FROM locations l, json_each(l.raw, '$.customFieldsLocation') j
WHERE l.deleted_at IS NULL AND j.type = 'object'
UNION ALL
SELECT 'part', p.id, p.name, json_extract(j.value, '$.id'), json_extract(j.value, '$.name'), NULL,
       CAST(json_extract(j.value, '$.value') AS TEXT), NULL, json_extract(j.value, '$.unit')
FROM spare_parts p, json_each(p.raw, '$.customFieldsPart') j
WHERE p.deleted_at IS NULL AND j.type = 'object'
UNION ALL
SELECT 'purchase_order', o.id, o.title, json_extract(j.value, '$.id'), json_extract(j.value, '$.name'), NULL,
       CAST(json_extract(j.value, '$.value') AS TEXT), NULL, json_extract(j.value, '$.unit')
FROM purchase_orders o, json_each(o.raw, '$.customFieldsPO') j
WHERE o.deleted_at IS NULL AND j.type = 'object';
