-- Version 10: bookkeeping for the fast first sync (mirror/bulk.py, sync/pull.py).
--
-- bulk_loads: what a bulk load of a table took away (indexes, full-text triggers) and must put
-- back, recorded in the transaction that took it away, removed in the one that puts it back. A
-- crash in between leaves the rows here; the next sync or the next opening of the mirror for
-- writing re-creates them (mirror.bulk.restore).
CREATE TABLE bulk_loads (
    name VARCHAR NOT NULL PRIMARY KEY,  -- index, trigger or full-text table name
    tbl VARCHAR NOT NULL,               -- the table being loaded
    kind VARCHAR NOT NULL,              -- index | trigger | fts
    definition VARCHAR                  -- the CREATE statement (NULL for kind fts)
);

-- sync_windows: a first sync lists a big entity as several createdAt windows in parallel; each
-- window's keyset (key_ms, ties) advances in the transaction that writes its pages, so a crash
-- resumes every window where it stopped. scan_started_ms is when the scan began: the entity's
-- change cursor starts from there once every window is done (and these rows are deleted).
CREATE TABLE sync_windows (
    entity VARCHAR NOT NULL,
    idx INTEGER NOT NULL,
    lo_ms INTEGER,                      -- inclusive lower createdAt bound; NULL: from the beginning
    hi_ms INTEGER,                      -- exclusive upper createdAt bound; NULL: no end
    key_ms INTEGER,                     -- keyset: createdAt of the last row written
    ties INTEGER NOT NULL DEFAULT 0,    -- rows written whose createdAt equals key_ms
    done INTEGER NOT NULL DEFAULT 0,
    scan_started_ms INTEGER NOT NULL,
    PRIMARY KEY (entity, idx)
);

-- The single-column index on work_orders.date_completed is the leading column of
-- ix_work_orders_completed_cover (0003): every lookup or range on date_completed can use the cover,
-- so this one only cost time on every insert and update.
DROP INDEX IF EXISTS ix_work_orders_date_completed;
