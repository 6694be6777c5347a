-- Triage and themes. Per-ticket results live in `triage` (0001).

-- Small key/value settings of triage: `priority_matrix` (JSON).
CREATE TABLE triage_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every correction a user made (history); the current override is in
-- triage.*_override and is what the classifier learns from.
CREATE TABLE triage_corrections (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    field      TEXT NOT NULL CHECK (field IN ('category', 'impact', 'urgency')),
    old_value  TEXT,
    new_value  TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX triage_corrections_ticket ON triage_corrections(ticket_id);

CREATE TABLE themes (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    name_edited  INTEGER NOT NULL DEFAULT 0,   -- 1 once a trainer renamed it
    key_terms    TEXT NOT NULL DEFAULT '[]',   -- JSON array of words
    centroid     TEXT NOT NULL DEFAULT '[]',   -- JSON [[term, weight], ...]
    merged_into  INTEGER REFERENCES themes(id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- Membership. pinned = 1: placed there by a trainer (split), kept by re-runs.
CREATE TABLE theme_members (
    theme_id   INTEGER NOT NULL REFERENCES themes(id) ON DELETE CASCADE,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    pinned     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (theme_id, ticket_id)
);
CREATE INDEX theme_members_ticket ON theme_members(ticket_id);

-- Trainer edits, as a log (rename, merge, split).
CREATE TABLE theme_edits (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('rename', 'merge', 'split')),
    theme_id    INTEGER NOT NULL,
    other_id    INTEGER,
    detail      TEXT NOT NULL DEFAULT '{}',
    at          INTEGER NOT NULL
);

-- "Addressed by training / documentation on DATE".
CREATE TABLE training_markers (
    id         INTEGER PRIMARY KEY,
    theme_id   INTEGER NOT NULL REFERENCES themes(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('training', 'documentation')),
    on_date    TEXT NOT NULL,                 -- YYYY-MM-DD
    note       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
