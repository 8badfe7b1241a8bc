-- Version 8: what kind of failure the connectivity row's last error was and where it came from, and a
-- fatal error (bad credentials, a refused setup) that stands until the job that hit it succeeds, so
-- `upkeep-mirror status` and Datasette show it instead of "online" (issue 11).

ALTER TABLE connectivity ADD COLUMN last_error_kind VARCHAR;
ALTER TABLE connectivity ADD COLUMN last_error_source VARCHAR;
ALTER TABLE connectivity ADD COLUMN fatal_error VARCHAR;
ALTER TABLE connectivity ADD COLUMN fatal_source VARCHAR;
ALTER TABLE connectivity ADD COLUMN fatal_since VARCHAR;
