-- title: Local writes: queue summary
-- description: One line per state of the local-write queue (pending, sending, dead = failed, conflict): how many operations, the age in hours of the oldest, and the latest error.
-- frequent: yes
WITH state(state, position) AS (VALUES ('pending', 1), ('sending', 2), ('dead', 3), ('conflict', 4))
SELECT s.state,
       (SELECT count(*) FROM outbox o WHERE o.state = s.state) AS operations,
       (SELECT min(o.created_at) FROM outbox o WHERE o.state = s.state) AS oldest_created_at,
       (SELECT round((julianday('now') - julianday(min(o.created_at))) * 24, 2)
        FROM outbox o WHERE o.state = s.state) AS oldest_age_hours,
       (SELECT o.last_error FROM outbox o WHERE o.state = s.state AND o.last_error IS NOT NULL
        ORDER BY o.updated_at DESC, o.seq DESC LIMIT 1) AS last_error
FROM state s
ORDER BY s.position
