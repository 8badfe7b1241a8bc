-- Version 5: ids listed by the reconciliation pass in progress, per entity. Kept in the file (not in
-- memory) so a pass over a million work orders stays O(page), and so a crashed pass simply starts over.

CREATE TABLE reconcile_seen (
	entity VARCHAR NOT NULL,
	id VARCHAR NOT NULL,
	PRIMARY KEY (entity, id)
) WITHOUT ROWID;
