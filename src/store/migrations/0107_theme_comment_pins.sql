-- A survey comment a trainer moved by a split is pinned to the new theme,
-- as a split ticket is (`theme_members.pinned`): re-runs of triage keep it
-- there. Automatic memberships stay 0 and are rewritten by each re-run.
ALTER TABLE theme_comment_members ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
