-- What the identity rebuild needs to follow a change (warehouse/identity_update.py):
--
-- identity_seen: every identity (forge, host, login, e-mail, name) as a commit author or
-- committer, an item or a comment author, counted per repository (the counts choose display
-- names). A run refreshes the rows of the repositories it noted; the identities of the whole
-- warehouse are their sum, with the organisation members.
--
-- identity_keys: each person's keys, through which identities join into one person (an alias,
-- an e-mail address, a login on a host), written by the rebuild, so that a new identity finds
-- the persons it joins without the others being read again.
--
-- identity_state: one row once the three tables are built; without it the next rebuild is whole.
-- All three are written by one writer and read by scans: no indexes.
CREATE TABLE identity_seen (
    forge     VARCHAR NOT NULL,
    host      VARCHAR NOT NULL,
    repo_path VARCHAR NOT NULL,
    login     VARCHAR,
    email     VARCHAR,
    name      VARCHAR,
    n         BIGINT NOT NULL
);

CREATE TABLE identity_keys (
    person_id BIGINT NOT NULL,
    key       VARCHAR NOT NULL
);

CREATE TABLE identity_state (
    built_at TIMESTAMPTZ NOT NULL
);
