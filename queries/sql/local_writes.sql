-- title: Local writes not yet in UpKeep
-- description: Changes made in the mirror that UpKeep has not accepted yet, oldest first. state: pending = saved here, waiting to be sent (the row shows "pending" until UpKeep accepts it); sending = being sent now; dead = failed, UpKeep refused it (see last_error), a person must retry or discard it; conflict = the same field was changed in UpKeep too, a person must choose. age_hours is hours since the change was made. local_id is the local-... id a record created here had before UpKeep accepted it and gave it record_id (that id still finds the record).
-- frequent: yes
WITH delivered AS (
    -- a delivered create keeps the local id it was queued with next to UpKeep's (server_id)
    SELECT entity, server_id, min(record_id) AS local_id FROM outbox
    WHERE server_id IS NOT NULL AND record_id LIKE 'local-%'
    GROUP BY entity, server_id
)
SELECT o.seq, o.state, o.entity, o.record_id,
       CASE o.entity
           WHEN 'work_orders' THEN (SELECT title FROM work_orders WHERE id = o.record_id)
           WHEN 'requests' THEN (SELECT title FROM requests WHERE id = o.record_id)
           WHEN 'parts' THEN (SELECT name FROM spare_parts WHERE id = o.record_id)
           WHEN 'assets' THEN (SELECT name FROM assets WHERE id = o.record_id)
           WHEN 'meter_readings' THEN (SELECT m.name FROM meter_readings r JOIN meters m ON m.id = r.meter_id
                                       WHERE r.id = o.record_id)
       END AS record_name,
       o.kind, o.attempts, o.last_error, o.next_attempt_at, o.created_at, o.updated_at,
       round((julianday('now') - julianday(o.created_at)) * 24, 2) AS age_hours,
       o.payload, o.base, o.remote, d.local_id
FROM outbox o
LEFT JOIN delivered d ON d.entity = o.entity AND d.server_id = o.record_id
WHERE o.state IN ('pending', 'sending', 'dead', 'conflict')
ORDER BY o.seq
