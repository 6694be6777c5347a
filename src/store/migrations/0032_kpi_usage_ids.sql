-- 0032: faster KPI reads (0003 has landed and is never edited).
-- Usage users and features get numbers of their own, so the KPIs read
-- integers only; the tickets index for the KPIs walks tickets in id order.

CREATE TABLE usage_users (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE usage_features (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE                 -- feature or action
);
INSERT INTO usage_users (name) SELECT DISTINCT user FROM usage_events ORDER BY user;
INSERT INTO usage_features (name) SELECT DISTINCT feature FROM usage_events ORDER BY feature;

-- One action of one user in the new system.
CREATE TABLE usage_events_v2 (
    id          INTEGER PRIMARY KEY,
    source_file TEXT NOT NULL,
    at          INTEGER NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES usage_users(id),
    feature_id  INTEGER NOT NULL REFERENCES usage_features(id),
    outcome     INTEGER NOT NULL DEFAULT 2 CHECK (outcome IN (0, 1, 2))  -- 1 success, 0 failure, 2 not recorded
);
INSERT INTO usage_events_v2 (id, source_file, at, user_id, feature_id, outcome)
    SELECT e.id, e.source_file, e.at, u.id, f.id,
           CASE e.outcome WHEN 'success' THEN 1 WHEN 'failure' THEN 0 ELSE 2 END
    FROM usage_events e
    JOIN usage_users u ON u.name = e.user
    JOIN usage_features f ON f.name = e.feature;
DROP TABLE usage_events;
ALTER TABLE usage_events_v2 RENAME TO usage_events;
-- Covering index: DAU/WAU, feature adoption and success rate read these by
-- period. Unique, so overlapping log files do not count an event twice.
CREATE UNIQUE INDEX usage_events_at ON usage_events (at, user_id, feature_id, outcome);

-- The KPI ticket query reads these columns in id order without touching the
-- wide ticket rows (descriptions, raw JSON).
DROP INDEX tickets_kpi;
CREATE INDEX tickets_kpi ON tickets (deleted_at, id, created_at, status_class, resolved_at, updated_at, priority, remote_category);
