-- 0096: a validation the user has started typing but not saved, one per
-- ticket, so switching tickets or views (or closing the app) loses nothing.
-- Unlike `validations`, a draft is freely replaced and deleted: recording the
-- validation deletes it in the same transaction, and the user may discard it.
CREATE TABLE validation_drafts (
    ticket_id   INTEGER PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
    outcome     TEXT CHECK (outcome IN ('passed', 'failed', 'blocked')),
    steps       TEXT NOT NULL DEFAULT '',
    environment TEXT NOT NULL DEFAULT '',
    test_data   TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    evidence    TEXT NOT NULL DEFAULT '',   -- the evidence box as typed: paths, one per line
    supersedes  INTEGER REFERENCES validations(id) ON DELETE SET NULL,
    updated_at  INTEGER NOT NULL
);
