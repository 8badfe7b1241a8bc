-- Version 6: the daemon's view of UpKeep, kept in the mirror so technicians see in Datasette how
-- fresh their data is and whether their writes are waiting for the network.

CREATE TABLE connectivity (
	id INTEGER NOT NULL,
	online BOOLEAN NOT NULL,
	offline_since VARCHAR,
	last_error VARCHAR,
	last_error_at VARCHAR,
	last_pull_at VARCHAR,
	last_flush_at VARCHAR,
	daemon_pid INTEGER,
	daemon_heartbeat_at VARCHAR,
	updated_at VARCHAR NOT NULL,
	PRIMARY KEY (id)
);

INSERT INTO connectivity (id, online, updated_at) VALUES (1, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
