-- Version 1: the initial tables. Generated once from the models; never edit a shipped migration,
-- add a new one (tests/test_store.py checks that all migrations together equal the models).

CREATE TABLE customers (
	id VARCHAR NOT NULL, 
	upkeep_created_at VARCHAR, 
	upkeep_updated_at VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	deleted_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	email VARCHAR NOT NULL, 
	phone_number VARCHAR NOT NULL, 
	type VARCHAR, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_customers_local_state ON customers (local_state);
CREATE INDEX ix_customers_upkeep_updated_at ON customers (upkeep_updated_at);

CREATE TABLE locations (
	id VARCHAR NOT NULL, 
	upkeep_created_at VARCHAR, 
	upkeep_updated_at VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	deleted_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	address VARCHAR NOT NULL, 
	parent_location VARCHAR, 
	latitude FLOAT, 
	longitude FLOAT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(parent_location) REFERENCES locations (id)
);

CREATE INDEX ix_locations_local_state ON locations (local_state);
CREATE INDEX ix_locations_parent_location ON locations (parent_location);
CREATE INDEX ix_locations_upkeep_updated_at ON locations (upkeep_updated_at);

CREATE TABLE rejects (
	id INTEGER NOT NULL, 
	entity VARCHAR NOT NULL, 
	upkeep_id VARCHAR, 
	field VARCHAR, 
	reason VARCHAR NOT NULL, 
	raw JSON NOT NULL, 
	run_id VARCHAR, 
	seen_at VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_rejects_entity ON rejects (entity);
CREATE INDEX ix_rejects_upkeep_id ON rejects (upkeep_id);

CREATE TABLE sync_cursors (
	entity VARCHAR NOT NULL, 
	cursor_ms INTEGER, 
	last_success_at VARCHAR, 
	last_reconciled_at VARCHAR, 
	PRIMARY KEY (entity)
);


CREATE TABLE sync_runs (
	id INTEGER NOT NULL, 
	run_id VARCHAR NOT NULL, 
	entity VARCHAR NOT NULL, 
	mode VARCHAR NOT NULL, 
	started_at VARCHAR NOT NULL, 
	finished_at VARCHAR, 
	requests INTEGER NOT NULL, 
	fetched INTEGER NOT NULL, 
	upserted INTEGER NOT NULL, 
	tombstoned INTEGER NOT NULL, 
	rejected INTEGER NOT NULL, 
	retries INTEGER NOT NULL, 
	error VARCHAR, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_sync_runs_entity ON sync_runs (entity);
CREATE INDEX ix_sync_runs_run_id ON sync_runs (run_id);

CREATE TABLE teams (
	id VARCHAR NOT NULL, 
	upkeep_created_at VARCHAR, 
	upkeep_updated_at VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	deleted_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	description VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_teams_local_state ON teams (local_state);
CREATE INDEX ix_teams_upkeep_updated_at ON teams (upkeep_updated_at);

CREATE TABLE users (
	id VARCHAR NOT NULL, 
	upkeep_created_at VARCHAR, 
	upkeep_updated_at VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	deleted_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	email VARCHAR NOT NULL, 
	first_name VARCHAR NOT NULL, 
	last_name VARCHAR NOT NULL, 
	account_type VARCHAR, 
	job_title VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_users_local_state ON users (local_state);
CREATE INDEX ix_users_upkeep_updated_at ON users (upkeep_updated_at);

CREATE TABLE vendors (
	id VARCHAR NOT NULL, 
	upkeep_created_at VARCHAR, 
	upkeep_updated_at VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	deleted_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	email VARCHAR NOT NULL, 
	phone_number VARCHAR NOT NULL, 
	type VARCHAR, 
	main_point_of_contact VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_vendors_local_state ON vendors (local_state);
CREATE INDEX ix_vendors_upkeep_updated_at ON vendors (upkeep_updated_at);

CREATE TABLE assets (
	id VARCHAR NOT NULL, 
	upkeep_created_at VARCHAR, 
	upkeep_updated_at VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	deleted_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	type VARCHAR NOT NULL, 
	location VARCHAR, 
	manufacturer VARCHAR NOT NULL, 
	model VARCHAR NOT NULL, 
	serial_number VARCHAR NOT NULL, 
	install_date VARCHAR, 
	criticality VARCHAR NOT NULL, 
	parent VARCHAR, 
	children JSON NOT NULL, 
	failure_modes JSON NOT NULL, 
	aliases JSON NOT NULL, 
	metadata JSON NOT NULL, 
	equipment_class_code VARCHAR, 
	category VARCHAR, 
	description VARCHAR NOT NULL, 
	barcode VARCHAR NOT NULL, 
	status VARCHAR, 
	assigned_to_user VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(location) REFERENCES locations (id), 
	FOREIGN KEY(parent) REFERENCES assets (id), 
	FOREIGN KEY(assigned_to_user) REFERENCES users (id)
);

CREATE INDEX ix_assets_assigned_to_user ON assets (assigned_to_user);
CREATE INDEX ix_assets_category ON assets (category);
CREATE INDEX ix_assets_local_state ON assets (local_state);
CREATE INDEX ix_assets_location ON assets (location);
CREATE INDEX ix_assets_parent ON assets (parent);
CREATE INDEX ix_assets_upkeep_updated_at ON assets (upkeep_updated_at);

CREATE TABLE purchase_orders (
	id VARCHAR NOT NULL, 
	upkeep_created_at VARCHAR, 
	upkeep_updated_at VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	deleted_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	description VARCHAR NOT NULL, 
	status VARCHAR, 
	purchase_order_number VARCHAR, 
	vendor_id VARCHAR, 
	category VARCHAR, 
	po_date VARCHAR, 
	due_date VARCHAR, 
	total_quantity FLOAT, 
	total_cost FLOAT, 
	parts JSON NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(vendor_id) REFERENCES vendors (id)
);

CREATE INDEX ix_purchase_orders_local_state ON purchase_orders (local_state);
CREATE INDEX ix_purchase_orders_status ON purchase_orders (status);
CREATE INDEX ix_purchase_orders_upkeep_updated_at ON purchase_orders (upkeep_updated_at);
CREATE INDEX ix_purchase_orders_vendor_id ON purchase_orders (vendor_id);

CREATE TABLE spare_parts (
	id VARCHAR NOT NULL, 
	upkeep_created_at VARCHAR, 
	upkeep_updated_at VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	deleted_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	sku VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	manufacturer VARCHAR NOT NULL, 
	compatible_assets JSON NOT NULL, 
	stock_quantity INTEGER NOT NULL, 
	reorder_point INTEGER NOT NULL, 
	lead_time_days INTEGER NOT NULL, 
	unit_cost FLOAT NOT NULL, 
	warehouse_location VARCHAR NOT NULL, 
	metadata JSON NOT NULL, 
	description VARCHAR NOT NULL, 
	category VARCHAR, 
	location_id VARCHAR, 
	barcode VARCHAR NOT NULL, 
	part_number VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(location_id) REFERENCES locations (id)
);

CREATE INDEX ix_spare_parts_category ON spare_parts (category);
CREATE INDEX ix_spare_parts_local_state ON spare_parts (local_state);
CREATE INDEX ix_spare_parts_location_id ON spare_parts (location_id);
CREATE INDEX ix_spare_parts_sku ON spare_parts (sku);
CREATE INDEX ix_spare_parts_upkeep_updated_at ON spare_parts (upkeep_updated_at);

CREATE TABLE maintenance_plans (
	id VARCHAR NOT NULL, 
	upkeep_created_at VARCHAR, 
	upkeep_updated_at VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	deleted_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	asset_id VARCHAR, 
	name VARCHAR NOT NULL, 
	interval JSON NOT NULL, 
	tasks JSON NOT NULL, 
	estimated_duration_hours FLOAT, 
	required_skills JSON NOT NULL, 
	active BOOLEAN NOT NULL, 
	work_order_title VARCHAR NOT NULL, 
	location_id VARCHAR, 
	category VARCHAR, 
	upkeep_priority INTEGER, 
	assigned_to VARCHAR, 
	schedule_type VARCHAR, 
	rrfreq VARCHAR, 
	rrinterval INTEGER, 
	next_due_date VARCHAR, 
	last_due_date VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(asset_id) REFERENCES assets (id), 
	FOREIGN KEY(location_id) REFERENCES locations (id), 
	FOREIGN KEY(assigned_to) REFERENCES users (id)
);

CREATE INDEX ix_maintenance_plans_asset_id ON maintenance_plans (asset_id);
CREATE INDEX ix_maintenance_plans_assigned_to ON maintenance_plans (assigned_to);
CREATE INDEX ix_maintenance_plans_local_state ON maintenance_plans (local_state);
CREATE INDEX ix_maintenance_plans_location_id ON maintenance_plans (location_id);
CREATE INDEX ix_maintenance_plans_next_due_date ON maintenance_plans (next_due_date);
CREATE INDEX ix_maintenance_plans_upkeep_updated_at ON maintenance_plans (upkeep_updated_at);

CREATE TABLE meters (
	id VARCHAR NOT NULL, 
	upkeep_created_at VARCHAR, 
	upkeep_updated_at VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	deleted_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	units VARCHAR NOT NULL, 
	frequency FLOAT, 
	asset_id VARCHAR, 
	location_id VARCHAR, 
	last_reading VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(asset_id) REFERENCES assets (id), 
	FOREIGN KEY(location_id) REFERENCES locations (id)
);

CREATE INDEX ix_meters_asset_id ON meters (asset_id);
CREATE INDEX ix_meters_local_state ON meters (local_state);
CREATE INDEX ix_meters_location_id ON meters (location_id);
CREATE INDEX ix_meters_upkeep_updated_at ON meters (upkeep_updated_at);

CREATE TABLE work_orders (
	id VARCHAR NOT NULL, 
	upkeep_created_at VARCHAR, 
	upkeep_updated_at VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	deleted_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	type VARCHAR NOT NULL, 
	priority VARCHAR NOT NULL, 
	status VARCHAR NOT NULL, 
	asset_id VARCHAR, 
	description VARCHAR NOT NULL, 
	failure_mode VARCHAR, 
	requested_skills JSON NOT NULL, 
	estimated_duration_hours FLOAT, 
	spare_parts JSON NOT NULL, 
	created_at VARCHAR NOT NULL, 
	updated_at VARCHAR NOT NULL, 
	assigned_to VARCHAR, 
	metadata JSON NOT NULL, 
	failure_impact VARCHAR, 
	failure_cause VARCHAR, 
	title VARCHAR NOT NULL, 
	work_order_no VARCHAR, 
	upkeep_status VARCHAR NOT NULL, 
	upkeep_priority INTEGER NOT NULL, 
	category VARCHAR, 
	location_id VARCHAR, 
	team_id VARCHAR, 
	due_date VARCHAR, 
	start_date VARCHAR, 
	date_completed VARCHAR, 
	completed_by VARCHAR, 
	archived BOOLEAN NOT NULL, 
	time_hours FLOAT, 
	labor_cost FLOAT NOT NULL, 
	additional_cost FLOAT NOT NULL, 
	parts_used JSON NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(asset_id) REFERENCES assets (id), 
	FOREIGN KEY(assigned_to) REFERENCES users (id), 
	FOREIGN KEY(location_id) REFERENCES locations (id), 
	FOREIGN KEY(team_id) REFERENCES teams (id), 
	FOREIGN KEY(completed_by) REFERENCES users (id)
);

CREATE INDEX ix_work_orders_asset_id ON work_orders (asset_id);
CREATE INDEX ix_work_orders_assigned_to ON work_orders (assigned_to);
CREATE INDEX ix_work_orders_category ON work_orders (category);
CREATE INDEX ix_work_orders_completed_by ON work_orders (completed_by);
CREATE INDEX ix_work_orders_date_completed ON work_orders (date_completed);
CREATE INDEX ix_work_orders_due_date ON work_orders (due_date);
CREATE INDEX ix_work_orders_local_state ON work_orders (local_state);
CREATE INDEX ix_work_orders_location_id ON work_orders (location_id);
CREATE INDEX ix_work_orders_status ON work_orders (status);
CREATE INDEX ix_work_orders_team_id ON work_orders (team_id);
CREATE INDEX ix_work_orders_upkeep_status ON work_orders (upkeep_status);
CREATE INDEX ix_work_orders_upkeep_updated_at ON work_orders (upkeep_updated_at);

CREATE TABLE meter_readings (
	id VARCHAR NOT NULL, 
	upkeep_created_at VARCHAR, 
	upkeep_updated_at VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	deleted_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	meter_id VARCHAR, 
	value FLOAT NOT NULL, 
	date VARCHAR, 
	created_by VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(meter_id) REFERENCES meters (id), 
	FOREIGN KEY(created_by) REFERENCES users (id)
);

CREATE INDEX ix_meter_readings_created_by ON meter_readings (created_by);
CREATE INDEX ix_meter_readings_date ON meter_readings (date);
CREATE INDEX ix_meter_readings_local_state ON meter_readings (local_state);
CREATE INDEX ix_meter_readings_meter_id ON meter_readings (meter_id);
CREATE INDEX ix_meter_readings_upkeep_updated_at ON meter_readings (upkeep_updated_at);

CREATE TABLE requests (
	id VARCHAR NOT NULL, 
	upkeep_created_at VARCHAR, 
	upkeep_updated_at VARCHAR, 
	raw JSON NOT NULL, 
	synced_at VARCHAR, 
	deleted_at VARCHAR, 
	local_state VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	description VARCHAR NOT NULL, 
	status VARCHAR, 
	upkeep_priority INTEGER, 
	category VARCHAR, 
	asset_id VARCHAR, 
	location_id VARCHAR, 
	team_id VARCHAR, 
	assigned_to VARCHAR, 
	requested_by VARCHAR, 
	work_order_id VARCHAR, 
	due_date VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(asset_id) REFERENCES assets (id), 
	FOREIGN KEY(location_id) REFERENCES locations (id), 
	FOREIGN KEY(team_id) REFERENCES teams (id), 
	FOREIGN KEY(assigned_to) REFERENCES users (id), 
	FOREIGN KEY(requested_by) REFERENCES users (id), 
	FOREIGN KEY(work_order_id) REFERENCES work_orders (id)
);

CREATE INDEX ix_requests_asset_id ON requests (asset_id);
CREATE INDEX ix_requests_assigned_to ON requests (assigned_to);
CREATE INDEX ix_requests_local_state ON requests (local_state);
CREATE INDEX ix_requests_location_id ON requests (location_id);
CREATE INDEX ix_requests_requested_by ON requests (requested_by);
CREATE INDEX ix_requests_status ON requests (status);
CREATE INDEX ix_requests_team_id ON requests (team_id);
CREATE INDEX ix_requests_upkeep_updated_at ON requests (upkeep_updated_at);
CREATE INDEX ix_requests_work_order_id ON requests (work_order_id);
