-- 0033: the inbox's default view (no search, no filter: the newest 50 of the
-- tickets not deleted) walks this index in order instead of sorting every
-- ticket. Without it the planner picks tickets_kpi for `deleted_at IS NULL`
-- and sorts 100,000 rows per keystroke (28 ms at 100k, `cargo bench --bench
-- search`). See store::tickets::inbox_sql.

CREATE INDEX tickets_inbox_newest ON tickets (deleted_at, updated_at DESC, id DESC);
