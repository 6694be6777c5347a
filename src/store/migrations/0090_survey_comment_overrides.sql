-- 0090: survey comments are overridable like tickets. The user can correct
-- a comment's automatic category; the override wins over the automatic
-- result, survives re-runs and is a training example from then on. The
-- signals that drove the automatic category are kept to show them.
-- Never edit this file once it has landed: add a new numbered migration.

ALTER TABLE survey_comment_triage ADD COLUMN signals TEXT NOT NULL DEFAULT '[]';
ALTER TABLE survey_comment_triage ADD COLUMN category_override TEXT;

-- Every correction, in order (the classifier retrains when this grows).
CREATE TABLE survey_comment_corrections (
    id          INTEGER PRIMARY KEY,
    response_id INTEGER NOT NULL REFERENCES survey_responses(id) ON DELETE CASCADE,
    old_value   TEXT,
    new_value   TEXT NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX survey_comment_corrections_response ON survey_comment_corrections (response_id);
