-- The root listing keeps its directories too (.github, docs, LICENSES, .circleci, ...): the
-- Standard for Public Code's checks (docs/public-code.md) read them to tell "no such file" from
-- "it may be in a folder that was not listed", and GitHub Actions workflows from their folder.
-- NULL: listed before the directories were kept. The root listings' ETags are dropped so that the
-- next collection reads every root once more and fills them.
ALTER TABLE root_files ADD COLUMN dirs VARCHAR[];
-- The names in .github/workflows (GitHub), read when the root has a .github folder; NULL when not
-- read (no such folder, another forge, or listed before).
ALTER TABLE root_files ADD COLUMN workflows VARCHAR[];
UPDATE cursors SET etag = NULL WHERE stream = 'root';
-- Whether anyone can open an issue (collectors.records.RepoRecord.issues_enabled); NULL until the
-- next listing says.
ALTER TABLE repos ADD COLUMN issues_enabled BOOLEAN;
