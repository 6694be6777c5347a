-- 0093: what a survey comment's automatic category was decided on, as for
-- tickets (0092): 'words' (its text had no sentence embedding yet, it waits
-- for the background refinement) or 'embedding'. NULL: triaged before this
-- column existed (the refinement triages it again).
-- Never edit this file once it has landed: add a new numbered migration.
ALTER TABLE survey_comment_triage ADD COLUMN basis TEXT CHECK (basis IN ('words', 'embedding'));
