-- Version 7: a rejected object is kept once per (entity, object), not once per sighting.
-- Objects without a usable id are keyed by a hash of their payload (reject_payload_key(), a
-- function the migration registers: mirror.rejects.payload_key). Existing duplicates collapse
-- into one row: first and last sighting, how many, and the reason and payload of the last one.

CREATE TABLE rejects_v7 (
	id INTEGER NOT NULL,
	entity VARCHAR NOT NULL,
	object_key VARCHAR NOT NULL,
	upkeep_id VARCHAR,
	field VARCHAR,
	reason VARCHAR NOT NULL,
	raw JSON NOT NULL,
	run_id VARCHAR,
	sync_run_id INTEGER,
	first_seen VARCHAR NOT NULL,
	last_seen VARCHAR NOT NULL,
	count INTEGER NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(sync_run_id) REFERENCES sync_runs (id)
);

INSERT INTO rejects_v7 (entity, object_key, upkeep_id, field, reason, raw, run_id, sync_run_id, first_seen,
                        last_seen, count)
SELECT entity, object_key, upkeep_id, field, reason, raw, run_id, NULL, first_seen, last_seen, count
FROM (
	SELECT r.*,
		ROW_NUMBER() OVER w AS newest,
		MIN(seen_at) OVER p AS first_seen,
		MAX(seen_at) OVER p AS last_seen,
		COUNT(*) OVER p AS count
	FROM (SELECT *, COALESCE(upkeep_id, reject_payload_key(raw)) AS object_key FROM rejects) r
	WINDOW p AS (PARTITION BY entity, object_key),
		w AS (PARTITION BY entity, object_key ORDER BY seen_at DESC, id DESC)
)
WHERE newest = 1
ORDER BY first_seen, id;

DROP TABLE rejects;

ALTER TABLE rejects_v7 RENAME TO rejects;

CREATE UNIQUE INDEX ux_rejects_object ON rejects (entity, object_key);
