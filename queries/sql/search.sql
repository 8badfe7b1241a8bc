-- title: Search work orders, assets and parts
-- description: Full-text search over work orders (title, description), assets (name, model, serial number, location) and parts (name, description, SKU). Every word must appear; words match their variants (leak finds leaking); put a phrase in double quotes. Work orders first, then assets, then parts; the 200 best matches of each, best first. Deleted records are left out.
-- param q: Words to look for.
-- frequent: yes
SELECT kind, id, name, status, asset_name, location_name, asset_id, location_id
FROM (
    SELECT 1 AS position, 'work order' AS kind, w.id, w.title AS name, w.upkeep_status AS status,
           a.name AS asset_name, l.name AS location_name, f.rank, w.asset_id, w.location_id
    FROM (SELECT rowid, rank FROM work_orders_fts
          WHERE work_orders_fts MATCH escape_fts(:q) AND trim(coalesce(:q, '')) <> ''
          ORDER BY rank LIMIT 200) f
    JOIN work_orders w ON w.rowid = f.rowid
    LEFT JOIN assets a ON a.id = w.asset_id
    LEFT JOIN locations l ON l.id = w.location_id
    WHERE w.deleted_at IS NULL
    UNION ALL
    SELECT 2, 'asset', a.id, a.name, a.status, a.name, l.name, f.rank, a.id, a.location
    FROM (SELECT rowid, rank FROM assets_fts
          WHERE assets_fts MATCH escape_fts(:q) AND trim(coalesce(:q, '')) <> ''
          ORDER BY rank LIMIT 200) f
    JOIN assets a ON a.rowid = f.rowid
    LEFT JOIN locations l ON l.id = a.location
    WHERE a.deleted_at IS NULL
    UNION ALL
    SELECT 3, 'part', p.id, p.name, NULL, NULL, l.name, f.rank, NULL, p.location_id
    FROM (SELECT rowid, rank FROM spare_parts_fts
          WHERE spare_parts_fts MATCH escape_fts(:q) AND trim(coalesce(:q, '')) <> ''
          ORDER BY rank LIMIT 200) f
    JOIN spare_parts p ON p.rowid = f.rowid
    LEFT JOIN locations l ON l.id = p.location_id
    WHERE p.deleted_at IS NULL
)
ORDER BY position, rank, id
