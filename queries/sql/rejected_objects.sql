-- title: UpKeep objects that could not be mirrored
-- description: Objects UpKeep sent that the mirror could not read (a missing id, a status or priority outside the documented values, a date that is not a date...), newest first: which entity, its UpKeep id, the field at fault and why. They were skipped and the rest of the sync went on; raw is the object exactly as UpKeep sent it, to show to UpKeep support or the account's admin.
-- frequent: no
SELECT r.seen_at, r.entity, r.upkeep_id, r.field, r.reason, r.run_id, r.raw
FROM rejects r
ORDER BY r.seen_at DESC, r.id DESC
LIMIT 500
