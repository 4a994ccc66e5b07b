-- Truthful run outcomes (docs/reliability.md).
-- runs.status: ok | partial | failed | interrupted | running. A run that ended without publishing
-- (killed, the machine stopped, a full disk) is written by the next run from the marker it left,
-- with finished_at NULL and a note saying what is known.
-- run_accounts.status: ok | partial | failed | not_modified | interrupted (stopped while collecting
-- this account) | not_reached (the run was interrupted before it) | skipped (its host could not be
-- reached earlier in the run).
ALTER TABLE runs ADD COLUMN note VARCHAR;
ALTER TABLE runs ADD COLUMN warnings INTEGER NOT NULL DEFAULT 0;
-- Values a forge sent that could not be read (one message per line: account, repository, item,
-- field and the value cut short); the value was stored as NULL or that one record skipped.
ALTER TABLE run_accounts ADD COLUMN warnings VARCHAR;
