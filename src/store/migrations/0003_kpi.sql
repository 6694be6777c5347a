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
    -- Who answered, for counting respondents: the respondent, or for an
    -- anonymous answer its file and line ('#file:line').
    submission   TEXT NOT NULL,
    question     TEXT NOT NULL DEFAULT '',    -- the export's column (one form may ask several)
    answered_at  INTEGER NOT NULL,
    scale        TEXT NOT NULL CHECK (scale IN ('csat_1_5', 'nps_0_10')),
    score        INTEGER NOT NULL,            -- as answered; out-of-range kept, excluded by the KPIs
    comment      TEXT,
    imported_at  INTEGER NOT NULL
);
-- Covering index: the KPI query reads these by period.
CREATE INDEX survey_responses_at ON survey_responses (answered_at, scale, score, submission);
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
    outcome     TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('success', 'failure', ''))  -- '': not recorded
);
-- Covering index: DAU/WAU, feature adoption and success rate read these by
-- period. Unique, so overlapping log files do not count an event twice.
CREATE UNIQUE INDEX usage_events_at ON usage_events (at, user, feature, outcome);

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

-- The KPI queries over tickets: the columns they read without touching the
-- wide ticket rows (descriptions, raw JSON), and the status history per
-- ticket in time order (id breaks ties within a second).
CREATE INDEX tickets_kpi ON tickets (created_at, status_class, resolved_at, deleted_at, priority, remote_category, updated_at);
CREATE INDEX status_changes_ticket ON status_changes (ticket_id, at, id, from_class, to_class);
CREATE INDEX comments_ticket_at ON comments (ticket_id, created_at, author);

-- First response per ticket (first comment by someone other than the
-- reporter), kept up to date by triggers so the KPIs read one row per
-- ticket instead of every comment. Derived data: rebuilt from comments.
CREATE TABLE ticket_first_response (
    ticket_id INTEGER PRIMARY KEY,               -- tickets.id (cleaned by trigger, no FK)
    at        INTEGER NOT NULL
);
INSERT INTO ticket_first_response (ticket_id, at)
    SELECT c.ticket_id, MIN(c.created_at) FROM comments c JOIN tickets t ON t.id = c.ticket_id
    WHERE c.author IS NOT t.reporter GROUP BY c.ticket_id;

CREATE TRIGGER first_response_comment_insert AFTER INSERT ON comments
WHEN NEW.author IS NOT (SELECT reporter FROM tickets WHERE id = NEW.ticket_id)
BEGIN
    INSERT INTO ticket_first_response (ticket_id, at) VALUES (NEW.ticket_id, NEW.created_at)
        ON CONFLICT (ticket_id) DO UPDATE SET at = MIN(at, excluded.at);
END;

CREATE TRIGGER first_response_comment_delete AFTER DELETE ON comments
BEGIN
    DELETE FROM ticket_first_response WHERE ticket_id = OLD.ticket_id;
    INSERT INTO ticket_first_response (ticket_id, at)
        SELECT c.ticket_id, MIN(c.created_at) FROM comments c JOIN tickets t ON t.id = c.ticket_id
        WHERE c.ticket_id = OLD.ticket_id AND c.author IS NOT t.reporter GROUP BY c.ticket_id;
END;

CREATE TRIGGER first_response_comment_update AFTER UPDATE OF author, created_at, ticket_id ON comments
BEGIN
    DELETE FROM ticket_first_response WHERE ticket_id IN (OLD.ticket_id, NEW.ticket_id);
    INSERT INTO ticket_first_response (ticket_id, at)
        SELECT c.ticket_id, MIN(c.created_at) FROM comments c JOIN tickets t ON t.id = c.ticket_id
        WHERE c.ticket_id IN (OLD.ticket_id, NEW.ticket_id) AND c.author IS NOT t.reporter GROUP BY c.ticket_id;
END;

CREATE TRIGGER first_response_reporter_update AFTER UPDATE OF reporter ON tickets
WHEN OLD.reporter IS NOT NEW.reporter
BEGIN
    DELETE FROM ticket_first_response WHERE ticket_id = NEW.id;
    INSERT INTO ticket_first_response (ticket_id, at)
        SELECT c.ticket_id, MIN(c.created_at) FROM comments c
        WHERE c.ticket_id = NEW.id AND c.author IS NOT NEW.reporter GROUP BY c.ticket_id;
END;

CREATE TRIGGER first_response_ticket_delete AFTER DELETE ON tickets
BEGIN
    DELETE FROM ticket_first_response WHERE ticket_id = OLD.id;
END;
