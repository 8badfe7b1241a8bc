-- title: Sync health
-- description: Per mirrored entity: when it was last pulled from UpKeep successfully, how many hours ago, the last attempt and its error, and since when it has been failing; with whether UpKeep answers at all and since when it has not (offline_since). status: failing (the last pull of this entity failed), running (or interrupted), never synced, offline (UpKeep does not answer, so what was pulled last is all there is), stale (no successful pull in the last {{STALE_AFTER_MINUTES}} minutes although nothing failed: is the daemon running?), ok.
-- frequent: yes
WITH RECURSIVE
    -- The distinct entities of sync_runs, one index probe each (sync_runs grows by every run).
    run_entity(entity) AS (
        SELECT min(entity) FROM sync_runs
        UNION ALL
        SELECT (SELECT min(r.entity) FROM sync_runs r WHERE r.entity > run_entity.entity)
        FROM run_entity WHERE run_entity.entity IS NOT NULL
    ),
    entity(entity) AS (
        SELECT entity FROM run_entity WHERE entity IS NOT NULL
        UNION
        SELECT entity FROM sync_cursors
    ),
    health AS (
        SELECT e.entity,
               coalesce(c.last_success_at,
                        (SELECT r.finished_at FROM sync_runs r
                         WHERE r.entity = e.entity AND r.error IS NULL AND r.finished_at IS NOT NULL
                         ORDER BY r.started_at DESC LIMIT 1)) AS last_success_at,
               (SELECT r.started_at FROM sync_runs r WHERE r.entity = e.entity
                ORDER BY r.started_at DESC LIMIT 1) AS last_run_started_at,
               (SELECT r.finished_at IS NULL FROM sync_runs r WHERE r.entity = e.entity
                ORDER BY r.started_at DESC LIMIT 1) AS last_run_unfinished,
               (SELECT r.error FROM sync_runs r WHERE r.entity = e.entity
                ORDER BY r.started_at DESC LIMIT 1) AS last_run_error,
               (SELECT min(r.started_at) FROM sync_runs r
                WHERE r.entity = e.entity AND r.error IS NOT NULL
                  AND r.started_at > coalesce((SELECT s.started_at FROM sync_runs s
                                               WHERE s.entity = e.entity AND s.error IS NULL
                                                 AND s.finished_at IS NOT NULL
                                               ORDER BY s.started_at DESC LIMIT 1), '')) AS failing_since,
               c.last_reconciled_at
        FROM entity e
        LEFT JOIN sync_cursors c ON c.entity = e.entity
    )
SELECT h.entity,
       CASE
           WHEN h.last_run_error IS NOT NULL THEN 'failing'
           WHEN h.last_run_unfinished THEN 'running'
           WHEN h.last_success_at IS NULL THEN 'never synced'
           WHEN k.online = 0 THEN 'offline'
           WHEN h.last_success_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-{{STALE_AFTER_SECONDS}} seconds') THEN 'stale'
           ELSE 'ok'
       END AS status,
       h.last_success_at,
       round((julianday('now') - julianday(h.last_success_at)) * 24, 2) AS hours_since_success,
       h.last_run_started_at, h.last_run_error, h.failing_since, h.last_reconciled_at,
       k.online AS upkeep_online, k.offline_since, k.last_error AS last_connection_error
FROM health h
LEFT JOIN connectivity k ON k.id = 1
ORDER BY h.entity
