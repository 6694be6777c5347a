-- 0061: imported survey comments take part in triage and themes. A comment
-- is the free text of one survey submission (`survey_responses.comment`,
-- kept on one answer row of the submission); it is not a ticket, so it has
-- its own triage and theme-membership tables.
-- Never edit this file once it has landed: add a new numbered migration.

-- The automatic category of a survey comment (no overrides: a comment is
-- not a ticket the user walks through in the triage queue).
CREATE TABLE survey_comment_triage (
    response_id INTEGER PRIMARY KEY REFERENCES survey_responses(id) ON DELETE CASCADE,
    category    TEXT NOT NULL,
    confidence  REAL NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Which theme a survey comment belongs to (re-runs rewrite it).
CREATE TABLE theme_comment_members (
    theme_id    INTEGER NOT NULL REFERENCES themes(id) ON DELETE CASCADE,
    response_id INTEGER NOT NULL REFERENCES survey_responses(id) ON DELETE CASCADE,
    PRIMARY KEY (theme_id, response_id)
);
CREATE INDEX theme_comment_members_response ON theme_comment_members (response_id);
