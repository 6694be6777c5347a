-- 0006: indexes for the inbox filters, newest update first within each value,
-- so "open", "Immediate" or "assigned to me" (with or without a search) never
-- scans every ticket. See store::tickets::query_tickets.

CREATE INDEX tickets_status_updated ON tickets (status_class, updated_at);
CREATE INDEX tickets_priority_updated ON tickets (priority, updated_at);
CREATE INDEX tickets_assignee_updated ON tickets (assignee, updated_at);
