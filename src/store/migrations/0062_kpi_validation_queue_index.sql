-- 0062: the validation queue (read by the fix-validation view and by the
-- validation KPIs on every dashboard load) looks up a source's live tickets
-- in the "awaiting validation" statuses; without this index it read every
-- ticket of the source (~21 ms at 100,000 tickets).

CREATE INDEX tickets_source_status ON tickets (source_id, status) WHERE deleted_at IS NULL;
