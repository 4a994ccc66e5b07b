-- Entities and accounts mirror the registry at the time of the last collection.
CREATE TABLE entities (
    entity_id     VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    country       VARCHAR NOT NULL,
    archetype     VARCHAR NOT NULL,
    email_domains VARCHAR[]
);

CREATE TABLE accounts (
    forge      VARCHAR NOT NULL,
    host       VARCHAR NOT NULL,
    owner      VARCHAR NOT NULL,
    entity_id  VARCHAR NOT NULL,
    url        VARCHAR NOT NULL,
    PRIMARY KEY (forge, host, owner)
);

CREATE TABLE repos (
    forge          VARCHAR NOT NULL,
    host           VARCHAR NOT NULL,
    path           VARCHAR NOT NULL,
    entity_id      VARCHAR NOT NULL,
    account_owner  VARCHAR NOT NULL,
    name           VARCHAR NOT NULL,
    description    VARCHAR,
    html_url       VARCHAR,
    default_branch VARCHAR,
    license_spdx   VARCHAR,
    topics         VARCHAR[],
    language       VARCHAR,
    archived       BOOLEAN NOT NULL,
    is_fork        BOOLEAN NOT NULL,
    fork_parent    VARCHAR,
    stars          INTEGER NOT NULL,
    forks_count    INTEGER NOT NULL,
    open_issues    INTEGER NOT NULL,
    created_at     TIMESTAMPTZ,
    pushed_at      TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ,
    PRIMARY KEY (forge, host, path)
);

CREATE TABLE commits (
    forge           VARCHAR NOT NULL,
    host            VARCHAR NOT NULL,
    repo_path       VARCHAR NOT NULL,
    sha             VARCHAR NOT NULL,
    author_name     VARCHAR,
    author_email    VARCHAR,
    author_login    VARCHAR,
    authored_at     TIMESTAMPTZ,
    committer_name  VARCHAR,
    committer_email VARCHAR,
    committer_login VARCHAR,
    committed_at    TIMESTAMPTZ,
    message         VARCHAR,
    PRIMARY KEY (forge, host, repo_path, sha)
);

-- Collection state: one cursor per (repo or account, stream); advanced only after
-- the batch it covers has been committed.
CREATE TABLE cursors (
    forge         VARCHAR NOT NULL,
    host          VARCHAR NOT NULL,
    scope         VARCHAR NOT NULL,  -- repo path, or account owner for account-level streams
    stream        VARCHAR NOT NULL,
    cursor_at     TIMESTAMPTZ,
    etag          VARCHAR,
    last_modified VARCHAR,
    marker        VARCHAR,           -- e.g. the repo's pushed_at seen when it was last walked
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (forge, host, scope, stream)
);

CREATE TABLE runs (
    run_id      INTEGER PRIMARY KEY,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status      VARCHAR NOT NULL,     -- running | ok | partial | failed
    registry    VARCHAR,
    repos_seen  INTEGER NOT NULL DEFAULT 0,
    new_commits INTEGER NOT NULL DEFAULT 0,
    requests    INTEGER NOT NULL DEFAULT 0,
    not_modified INTEGER NOT NULL DEFAULT 0,
    errors      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE run_accounts (
    run_id          INTEGER NOT NULL,
    forge           VARCHAR NOT NULL,
    host            VARCHAR NOT NULL,
    owner           VARCHAR NOT NULL,
    entity_id       VARCHAR NOT NULL,
    status          VARCHAR NOT NULL, -- ok | failed | skipped
    repos_seen      INTEGER NOT NULL DEFAULT 0,
    repos_walked    INTEGER NOT NULL DEFAULT 0,
    new_commits     INTEGER NOT NULL DEFAULT 0,
    requests        INTEGER NOT NULL DEFAULT 0,
    not_modified    INTEGER NOT NULL DEFAULT 0,
    rate_remaining  INTEGER,
    rate_limit      INTEGER,
    error           VARCHAR,
    finished_at     TIMESTAMPTZ,
    PRIMARY KEY (run_id, forge, host, owner)
);
