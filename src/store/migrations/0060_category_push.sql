-- 0060: the outbox also carries confirmed triage categories back to the
-- server (Redmine: the issue category or a custom field). SQLite cannot
-- change a CHECK constraint in place, so the table is rebuilt with its rows
-- and ids kept. A category row belongs to a ticket, not to a validation.
-- Never edit this file once it has landed: add a new numbered migration.

CREATE TABLE outbox_v60 (
    id              INTEGER PRIMARY KEY,
    validation_id   INTEGER REFERENCES validations(id) ON DELETE CASCADE,
    ticket_id       INTEGER REFERENCES tickets(id) ON DELETE CASCADE,  -- category rows
    kind            TEXT NOT NULL CHECK (kind IN ('comment', 'attachment', 'transition', 'category')),
    evidence_id     INTEGER REFERENCES validation_evidence(id),
    target_status   TEXT,                     -- transition: the server status name to reach
    target_field    TEXT,                     -- category: 'issue_category' or 'custom_field:<id>'
    target_value    TEXT,                     -- category: the value to set there (a name)
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sent', 'rejected', 'conflict', 'discarded')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    upload_token    TEXT,                     -- attachment: token of an upload not yet attached
    remote_ref      TEXT,                     -- journal, attachment, status or category id once sent
    force           INTEGER NOT NULL DEFAULT 0, -- push despite a conflict (the user said so)
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CHECK ((kind = 'attachment') = (evidence_id IS NOT NULL)),
    CHECK ((kind = 'transition') = (target_status IS NOT NULL)),
    CHECK ((kind = 'category') = (validation_id IS NULL)),
    CHECK ((kind = 'category') = (ticket_id IS NOT NULL)),
    CHECK ((kind = 'category') = (target_field IS NOT NULL AND target_value IS NOT NULL))
);

INSERT INTO outbox_v60 (id, validation_id, kind, evidence_id, target_status, state, attempts, next_attempt_at,
                        last_error, upload_token, remote_ref, force, created_at, updated_at)
    SELECT id, validation_id, kind, evidence_id, target_status, state, attempts, next_attempt_at,
           last_error, upload_token, remote_ref, force, created_at, updated_at
    FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_v60 RENAME TO outbox;

CREATE INDEX outbox_state ON outbox (state, next_attempt_at);
CREATE INDEX outbox_validation ON outbox (validation_id);
CREATE INDEX outbox_ticket ON outbox (ticket_id) WHERE ticket_id IS NOT NULL;
