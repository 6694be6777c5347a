-- 0003: what the KPIs read besides tickets: survey answers, saved column
-- mappings, usage events, API-gateway calls and the KPI settings.
-- Times are INTEGER unix seconds (UTC). Never edit this file once it has
-- landed: add a new numbered migration instead (0032.. for kpi).

-- One answer of one respondent to one rating question.
CREATE TABLE survey_responses (
    id           INTEGER PRIMARY KEY,
    source_file  TEXT NOT NULL,               -- file name (or 'demo') it came from
    line         INTEGER,                     -- line in that file, for tracing back
    respondent   TEXT,
    question     TEXT NOT NULL DEFAULT '',    -- the export's column (one form may ask several)
    answered_at  INTEGER NOT NULL,
    scale        TEXT NOT NULL CHECK (scale IN ('csat_1_5', 'nps_0_10')),
    score        INTEGER NOT NULL,            -- as answered; out-of-range kept, excluded by the KPIs
    comment      TEXT,
    imported_at  INTEGER NOT NULL
);
-- Covering index: the KPI query reads (answered_at, scale, score) by period.
CREATE INDEX survey_responses_at ON survey_responses (answered_at, scale, score, respondent);
-- Cumulative exports (every Forms export holds all answers so far) import
-- again without doubling: one answer per question, time and respondent.
CREATE UNIQUE INDEX survey_responses_answer
    ON survey_responses (question, answered_at, IFNULL(respondent, ''), scale, score);

-- A saved CSV column mapping for survey imports (name -> JSON).
CREATE TABLE survey_mappings (
    name       TEXT PRIMARY KEY,
    mapping    TEXT NOT NULL,                 -- JSON, see import::surveys::SurveyMapping
    updated_at INTEGER NOT NULL
);

-- One action of one user in the new system.
CREATE TABLE usage_events (
    id          INTEGER PRIMARY KEY,
    source_file TEXT NOT NULL,
    at          INTEGER NOT NULL,
    user        TEXT NOT NULL,
    feature     TEXT NOT NULL,                -- feature or action
    outcome     TEXT CHECK (outcome IN ('success', 'failure')) -- NULL: not recorded
);
-- Covering index: DAU/WAU, feature adoption and success rate read these by
-- period. Unique, so overlapping log files do not count an event twice.
CREATE UNIQUE INDEX usage_events_at ON usage_events (at, user, feature, IFNULL(outcome, ''));

-- One call seen by the API gateway.
CREATE TABLE gateway_calls (
    id          INTEGER PRIMARY KEY,
    source_file TEXT NOT NULL,
    at          INTEGER NOT NULL,
    consumer    TEXT NOT NULL,
    path        TEXT NOT NULL,
    status      INTEGER NOT NULL,
    latency_ms  REAL NOT NULL
);
CREATE INDEX gateway_calls_at ON gateway_calls (at, path, status, latency_ms);

-- Files already imported, by content hash: the same file twice is refused.
CREATE TABLE import_files (
    sha256      TEXT PRIMARY KEY,
    file        TEXT NOT NULL,
    kind        TEXT NOT NULL,                -- surveys | usage | gateway
    rows        INTEGER NOT NULL,
    imported_at INTEGER NOT NULL
);

-- KPI settings, one value per key (numbers and names as text):
-- 'timezone', 'licensed_users', 'sla_resolve_hours.P1'.., 'sla_ack_hours.P1'..,
-- 'exit.sla_met_min', 'exit.csat_min', 'exit.max_open_p1'.
CREATE TABLE kpi_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The KPI queries over tickets: status history per ticket in time order, and
-- the first answer on a ticket.
CREATE INDEX status_changes_ticket ON status_changes (ticket_id, at, from_class, to_class);
CREATE INDEX comments_ticket_at ON comments (ticket_id, created_at, author);
