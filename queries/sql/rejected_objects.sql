-- title: UpKeep objects that could not be mirrored
-- description: Objects UpKeep sent that the mirror could not read (a missing id, a field of the wrong type, a status or priority outside the documented values, a date that is not a date...), most recently seen first: which entity, its UpKeep id, the field at fault and why. Each object is listed once however often a sync met it: times_seen counts the sync passes that listed it, first_seen and last_seen when, run_id the sync that last saw it. It was skipped and the rest of the sync went on; it leaves this list once UpKeep sends it in a readable form or deletes it. raw is the object exactly as UpKeep last sent it, to show to UpKeep support or the account's admin.
-- frequent: no
SELECT r.last_seen, r.entity, r.upkeep_id, r.field, r.reason, r.count AS times_seen, r.first_seen, r.run_id, r.raw
FROM rejects r
ORDER BY r.last_seen DESC, r.id DESC
LIMIT 500
