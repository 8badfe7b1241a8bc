-- Version 4: the outbox (local writes waiting for UpKeep, in seq order per record) and the
-- messages written through the mirror (UpKeep's API can add work order messages but not list them).
-- AUTOINCREMENT so a seq is never reused, even after rows are deleted.

CREATE TABLE outbox (
	seq INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	op_id VARCHAR NOT NULL,
	entity VARCHAR NOT NULL,
	record_id VARCHAR NOT NULL,
	kind VARCHAR NOT NULL,
	state VARCHAR NOT NULL,
	attempts INTEGER NOT NULL,
	last_error VARCHAR,
	created_at VARCHAR NOT NULL,
	updated_at VARCHAR NOT NULL,
	payload JSON NOT NULL,
	base JSON,
	remote JSON,
	server_id VARCHAR,
	next_attempt_at VARCHAR,
	ambiguous BOOLEAN NOT NULL,
	first_sent_at VARCHAR,
	done_at VARCHAR,
	resolution VARCHAR,
	UNIQUE (op_id)
);

CREATE INDEX ix_outbox_record ON outbox (entity, record_id, seq);
CREATE INDEX ix_outbox_state ON outbox (state);

CREATE TABLE work_order_messages (
	id VARCHAR NOT NULL,
	work_order_id VARCHAR NOT NULL,
	text VARCHAR NOT NULL,
	created_at VARCHAR NOT NULL,
	sent_at VARCHAR,
	local_state VARCHAR NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(work_order_id) REFERENCES work_orders (id)
);

CREATE INDEX ix_work_order_messages_work_order_id ON work_order_messages (work_order_id);
