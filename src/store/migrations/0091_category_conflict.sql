-- 0091: a category write can meet a change someone else made on the server.
-- base_value: the server's value for the write's target as the store last
--   saw it (synced) when the user confirmed; '' = none. NULL on rows queued
--   before this migration: they are pushed without the check, as before.
-- server_value: the differing value push found on the server (state
--   'conflict'), kept so the user can choose to keep it.
-- Never edit this file once it has landed: add a new numbered migration.

ALTER TABLE outbox ADD COLUMN base_value TEXT;
ALTER TABLE outbox ADD COLUMN server_value TEXT;
