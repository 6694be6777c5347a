-- 0001: sources, tickets, comments, status history, sync runs, full-text index.
-- Times are INTEGER unix seconds (UTC). Never edit this file once it has landed:
-- add a new numbered migration instead.

CREATE TABLE sources (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    url              TEXT NOT NULL,
    project          TEXT NOT NULL DEFAULT '',
    token_env        TEXT,
    config           TEXT NOT NULL DEFAULT '{}',  -- connector options (JSON), never secrets
    cursor           TEXT,                        -- connector's sync cursor (JSON)
    census_at        INTEGER,                     -- last id census
    last_sync_at     INTEGER,
    last_sync_status TEXT,
    last_sync_error  TEXT,
    created_at       INTEGER NOT NULL
);

CREATE TABLE tickets (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    remote_id      TEXT NOT NULL,
    key            TEXT NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,
    status_class   TEXT NOT NULL CHECK (status_class IN ('open', 'resolved', 'closed')),
    priority       TEXT NOT NULL DEFAULT '',
    tracker        TEXT NOT NULL DEFAULT '',
    remote_category TEXT,
    assignee       TEXT,
    reporter       TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    resolved_at    INTEGER,
    remote_version TEXT NOT NULL,
    comment_count  INTEGER NOT NULL DEFAULT 0,
    raw            TEXT,
    deleted_at     INTEGER,
    UNIQUE (source_id, remote_id)
);
CREATE INDEX tickets_updated ON tickets (updated_at DESC);
CREATE INDEX tickets_created ON tickets (created_at, priority);
CREATE INDEX tickets_key ON tickets (key);

CREATE TABLE comments (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    remote_id  TEXT NOT NULL,
    author     TEXT,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (ticket_id, remote_id)
);

CREATE TABLE status_changes (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    remote_id   TEXT NOT NULL,
    at          INTEGER NOT NULL,
    from_status TEXT,
    from_class  TEXT,
    to_status   TEXT NOT NULL,
    to_class    TEXT NOT NULL,
    author      TEXT,
    UNIQUE (ticket_id, remote_id)
);
CREATE INDEX status_changes_at ON status_changes (at);

-- Triage result per ticket: automatic values and the user's overrides.
-- The effective value is COALESCE(override, auto).
CREATE TABLE triage (
    ticket_id         INTEGER PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
    category          TEXT,
    category_override TEXT,
    confidence        REAL,
    impact            TEXT,
    impact_override   TEXT,
    urgency           TEXT,
    urgency_override  TEXT,
    priority          TEXT,
    signals           TEXT,
    updated_at        INTEGER NOT NULL
);

CREATE TABLE sync_runs (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    status      TEXT NOT NULL DEFAULT 'running',  -- running | ok | failed
    fetched     INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    deleted     INTEGER NOT NULL DEFAULT 0,
    requests    INTEGER NOT NULL DEFAULT 0,
    error       TEXT
);

-- Contentless full-text index; rowid = tickets.id. The store keeps it in
-- step with tickets and comments in the same transaction.
CREATE VIRTUAL TABLE ticket_fts USING fts5 (
    title, description, comments,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
