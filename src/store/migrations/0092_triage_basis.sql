-- 0092: what an automatic triage was decided on: 'words' (the words-only model:
-- the ticket's text had no sentence embedding yet, it waits for the
-- background refinement) or 'embedding' (words + the text's embedding).
-- NULL: triaged before this column existed (the refinement re-triages it).
ALTER TABLE triage ADD COLUMN basis TEXT CHECK (basis IN ('words', 'embedding'));
