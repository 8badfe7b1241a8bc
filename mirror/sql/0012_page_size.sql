-- Version 12: what the pull found out about UpKeep's page size (sync/upkeep/paging.py PageSize), so
-- the next runs start from it instead of finding it out again, and `upkeep-mirror status` shows it.
-- One row (id 1). served: the most objects UpKeep put in one list answer (it serves at least that
-- many); cap: the page size UpKeep was found to serve when smaller than what the pull asked for
-- (asked), NULL while none was found.
CREATE TABLE upkeep_page_size (
    id INTEGER NOT NULL PRIMARY KEY,
    served INTEGER NOT NULL DEFAULT 0,
    cap INTEGER,
    asked INTEGER,
    updated_at VARCHAR NOT NULL
);
